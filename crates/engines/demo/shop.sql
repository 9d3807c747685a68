-- DB Dock demo: a small shop. SQLite dialect; run as one script on a fresh database.
PRAGMA foreign_keys = ON;

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL UNIQUE,
    country     TEXT    NOT NULL DEFAULT 'DE',
    created_at  TEXT    NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    in_stock    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    status      TEXT    NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    ordered_at  TEXT    NOT NULL
);
CREATE INDEX orders_by_customer ON orders(customer_id, ordered_at);

CREATE TABLE order_lines (
    order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_no     INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_cents  INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE VIEW order_totals AS
SELECT o.id AS order_id, c.name AS customer, o.status, o.ordered_at,
       SUM(l.quantity * l.unit_cents) / 100.0 AS total_eur
FROM orders o
JOIN customers c ON c.id = o.customer_id
JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id;

INSERT INTO customers (id, name, email, country, created_at) VALUES
 (1, 'Ada Lovelace',    'ada@example.org',     'GB', '2024-01-05 09:12:00'),
 (2, 'Grace Hopper',    'grace@example.org',   'US', '2024-01-17 14:03:00'),
 (3, 'Linus Torvalds',  'linus@example.org',   'FI', '2024-02-02 11:45:00'),
 (4, 'Margaret Hamilton','margaret@example.org','US', '2024-02-20 16:30:00'),
 (5, 'Edsger Dijkstra', 'edsger@example.org',  'NL', '2024-03-01 08:00:00'),
 (6, 'Barbara Liskov',  'barbara@example.org', 'US', '2024-03-11 10:21:00'),
 (7, 'Ken Thompson',    'ken@example.org',     'US', '2024-03-29 19:05:00'),
 (8, 'Sophie Wilson',   'sophie@example.org',  'GB', '2024-04-08 13:37:00');

INSERT INTO products (id, sku, name, category, price_cents, in_stock) VALUES
 (1, 'KB-01',  'Mechanical keyboard',  'peripherals', 12900, 25),
 (2, 'MS-02',  'Wireless mouse',       'peripherals',  3900, 80),
 (3, 'MN-27',  '27" monitor',          'displays',    32900, 12),
 (4, 'HD-01',  'Noise-cancelling headphones', 'audio', 19900, 30),
 (5, 'CB-USB', 'USB-C cable (2 m)',    'accessories',  1290, 400),
 (6, 'DK-04',  'Laptop dock',          'accessories', 17900, 0),
 (7, 'LT-14',  'Desk lamp',            'office',       4500, 42),
 (8, 'CH-01',  'Ergonomic chair',      'office',      49900, 5);

INSERT INTO orders (id, customer_id, status, ordered_at) VALUES
 (1, 1, 'shipped',   '2024-04-01 10:00:00'),
 (2, 2, 'shipped',   '2024-04-03 12:30:00'),
 (3, 1, 'paid',      '2024-04-10 09:15:00'),
 (4, 3, 'new',       '2024-04-11 17:45:00'),
 (5, 4, 'cancelled', '2024-04-12 08:05:00'),
 (6, 5, 'shipped',   '2024-04-15 14:20:00'),
 (7, 6, 'paid',      '2024-04-18 11:11:00'),
 (8, 7, 'new',       '2024-04-20 20:00:00'),
 (9, 8, 'shipped',   '2024-04-22 07:30:00'),
 (10, 2, 'paid',     '2024-04-25 15:55:00');

INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_cents) VALUES
 (1, 1, 1, 1, 12900), (1, 2, 5, 3, 1290),
 (2, 1, 3, 2, 32900),
 (3, 1, 4, 1, 19900), (3, 2, 2, 1, 3900),
 (4, 1, 8, 1, 49900),
 (5, 1, 6, 1, 17900),
 (6, 1, 7, 2, 4500), (6, 2, 5, 1, 1290),
 (7, 1, 1, 1, 12900), (7, 2, 2, 1, 3900), (7, 3, 5, 2, 1290),
 (8, 1, 4, 1, 19900),
 (9, 1, 3, 1, 32900), (9, 2, 6, 1, 17900),
 (10, 1, 8, 2, 49900);
