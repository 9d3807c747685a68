//! Which parts of a connection URL are credentials. Each one either becomes the target's
//! one secret (kept in the OS keyring, never in a file) or is refused with the reason and
//! what to do instead; none is stored in the open. The table of every form is in the tests
//! below and in docs/safety.md.

use crate::{Engine, Error, Result};

/// What a query option of a URL is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum QueryOption {
    /// Not a credential: stays in the URL.
    Keep,
    /// The password (or, on NATS, the token): becomes the target's secret.
    Secret,
}

/// Keys of MongoDB's `authMechanismProperties` that hold no secret.
const MONGODB_PLAIN_PROPERTIES: [&str; 7] = [
    "SERVICE_NAME",
    "CANONICALIZE_HOST_NAME",
    "SERVICE_REALM",
    "SERVICE_HOST",
    "ENVIRONMENT",
    "TOKEN_RESOURCE",
    "ALLOWED_HOSTS",
];

/// Fragments of option names that suggest a secret (`sslpassword`, `proxyPassword`,
/// `api_token`, …): such options are refused unless a rule below knows them.
const SECRET_LIKE: [&str; 7] = ["pass", "pwd", "secret", "token", "nkey", "seed", "jwt"];

/// Decides what the query option `key=value` of an `engine` URL is. Errors name the key,
/// never the value.
pub(super) fn classify(engine: Engine, key: &str, value: &str) -> Result<QueryOption> {
    let lower = key.to_ascii_lowercase();
    if lower == "password" {
        return Ok(QueryOption::Secret);
    }
    if let Some(known) = engine_rule(engine, key, &lower, value) {
        return known;
    }
    if SECRET_LIKE.iter().any(|s| lower.contains(s)) {
        return Err(Error::invalid_input(format!(
            "the URL carries a secret in '{key}': DB Dock keeps secrets in the OS keyring, so give the password before \
             the host (user:password@host) or with --password-stdin"
        )));
    }
    Ok(QueryOption::Keep)
}

/// The credential options one engine's URLs know (every engine is named, so a new one
/// must say which it has).
fn engine_rule(engine: Engine, key: &str, lower: &str, value: &str) -> Option<Result<QueryOption>> {
    let unsupported = |message: String| Some(Err(Error::unsupported(message)));
    match engine {
        Engine::Nats => match lower {
            "token" => Some(Ok(QueryOption::Secret)),
            "nkey" | "seed" | "nkey_seed" | "jwt" | "user_jwt" => unsupported(format!(
                "NATS NKey seeds and JWTs ('{key}') are not supported: use a token (nats://TOKEN@host) or a user and \
                 password; either goes to the OS keyring"
            )),
            _ => None,
        },
        Engine::Mongodb => match lower {
            "authmechanismproperties" => Some(check_mongodb_properties(value).map(|()| QueryOption::Keep)),
            "tlscertificatekeyfilepassword" | "sslclientcertificatekeypassword" => unsupported(format!(
                "'{key}' is not supported: a profile keeps one secret (the login's password) in the OS keyring; use a \
                 client key file without a passphrase, readable only by you"
            )),
            _ => None,
        },
        Engine::Postgres => match lower {
            "sslpassword" => unsupported(
                "'sslpassword' (the passphrase of the client key) is not supported: a profile keeps one secret (the \
                 login's password) in the OS keyring; use a client key file without a passphrase, readable only by you"
                    .to_owned(),
            ),
            "passfile" => unsupported(
                "'passfile' is not read: give the password in the URL (user:password@host) or with --password-stdin, \
                 and DB Dock keeps it in the OS keyring"
                    .to_owned(),
            ),
            _ => None,
        },
        Engine::Kafka => match lower {
            "sasl.password" | "sasl_password" | "ssl.key.password" => unsupported(format!(
                "'{key}' is not read from the URL: write kafka://USER:PASSWORD@host:9092?sasl=scram-sha-256 and DB Dock \
                 keeps the password in the OS keyring; a client key must have no passphrase"
            )),
            _ => None,
        },
        Engine::Sqlite | Engine::Mysql | Engine::Mssql | Engine::Redis => None,
    }
}

/// `authMechanismProperties=KEY:value,KEY2:value2`: an AWS session token is refused
/// (session tokens expire, so keeping one in a profile makes no sense: the driver reads
/// it from the environment), and so is any key not known to hold no secret.
fn check_mongodb_properties(value: &str) -> Result<()> {
    for pair in value.split(',').filter(|p| !p.trim().is_empty()) {
        let name = pair.split_once(':').map_or(pair, |(name, _)| name).trim();
        if name.eq_ignore_ascii_case("AWS_SESSION_TOKEN") {
            return Err(Error::invalid_input(
                "the URL carries an AWS session token (authMechanismProperties=AWS_SESSION_TOKEN:…): DB Dock does not \
                 store AWS credentials; put AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in DB \
                 Dock's environment instead (the MongoDB driver reads them there) and leave them out of the URL",
            ));
        }
        if !MONGODB_PLAIN_PROPERTIES.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid_input(format!(
                "unknown authMechanismProperties key '{name}' (known: {}); DB Dock refuses what it cannot tell is not a \
                 secret",
                MONGODB_PLAIN_PROPERTIES.join(", ")
            )));
        }
    }
    Ok(())
}

/// Whether `key` names a credential, for masking its value in text that does not parse.
pub(super) fn is_secret_key(key: &str) -> bool {
    let lower = key.trim().to_ascii_lowercase();
    lower == "authmechanismproperties" || SECRET_LIKE.iter().any(|s| lower.contains(s))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    //! The one table of credential positions (mirrored in docs/safety.md): for each URL
    //! form the parser accepts, where the secret sits, what a profile stores, and the URL
    //! the driver gets back; or why the form is refused.

    use crate::{ConnectionTarget, ErrorCode, Profile, Secret};

    const SECRET: &str = "S3cr3t-V4lue";

    enum Then {
        /// The secret goes to the keyring: the profile stores `stored`, the driver gets `driver`.
        Keyring { stored: &'static str, driver: &'static str },
        /// Refused with this code and a message containing this text.
        Refused(ErrorCode, &'static str),
    }
    use Then::{Keyring, Refused};

    /// Every credential position, per engine. `S3cr3t-V4lue` is the secret.
    const POSITIONS: &[(&str, &str, Then)] = &[
        (
            "postgres user:password",
            "postgres://app:S3cr3t-V4lue@db:5432/shop",
            Keyring { stored: "postgres://app@db:5432/shop", driver: "postgres://app:S3cr3t-V4lue@db:5432/shop" },
        ),
        (
            "postgres ?password=",
            "postgresql://app@db/shop?sslmode=require&password=S3cr3t-V4lue",
            Keyring {
                stored: "postgresql://app@db/shop?sslmode=require",
                driver: "postgresql://app:S3cr3t-V4lue@db/shop?sslmode=require",
            },
        ),
        (
            "postgres ?sslpassword=",
            "postgres://app@db/shop?sslkey=/k.pem&sslpassword=S3cr3t-V4lue",
            Refused(ErrorCode::Unsupported, "without a passphrase"),
        ),
        (
            "postgres ?passfile=",
            "postgres://app@db/shop?passfile=/S3cr3t-V4lue",
            Refused(ErrorCode::Unsupported, "passfile"),
        ),
        (
            "mysql user:password",
            "mysql://root:S3cr3t-V4lue@db:3306/shop",
            Keyring { stored: "mysql://root@db:3306/shop", driver: "mysql://root:S3cr3t-V4lue@db:3306/shop" },
        ),
        (
            "mariadb ?password=",
            "mariadb://root@db/shop?password=S3cr3t-V4lue",
            Keyring { stored: "mariadb://root@db/shop", driver: "mariadb://root:S3cr3t-V4lue@db/shop" },
        ),
        (
            "sqlserver URL user:password",
            "sqlserver://sa:S3cr3t-V4lue@db:1433/shop?encrypt=true",
            Keyring {
                stored: "sqlserver://sa@db:1433/shop?encrypt=true",
                driver: "sqlserver://sa:S3cr3t-V4lue@db:1433/shop?encrypt=true",
            },
        ),
        (
            "sqlserver ADO.NET Password=",
            "Server=tcp:db,1433;Database=shop;User Id=sa;Password=S3cr3t-V4lue",
            Keyring { stored: "sqlserver://sa@db:1433/shop", driver: "sqlserver://sa:S3cr3t-V4lue@db:1433/shop" },
        ),
        (
            "sqlserver ADO.NET Pwd=",
            "Data Source=db;Initial Catalog=shop;UID=sa;Pwd={S3cr3t-V4lue}",
            Keyring { stored: "sqlserver://sa@db/shop", driver: "sqlserver://sa:S3cr3t-V4lue@db/shop" },
        ),
        (
            "sqlserver JDBC ;password=",
            "jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=S3cr3t-V4lue",
            Keyring { stored: "sqlserver://sa@db:1433/shop", driver: "sqlserver://sa:S3cr3t-V4lue@db:1433/shop" },
        ),
        (
            "mongodb user:password (seed list)",
            "mongodb://app:S3cr3t-V4lue@a:27017,b:27018/shop?replicaSet=rs0",
            Keyring {
                stored: "mongodb://app@a:27017,b:27018/shop?replicaSet=rs0",
                driver: "mongodb://app:S3cr3t-V4lue@a:27017,b:27018/shop?replicaSet=rs0",
            },
        ),
        (
            "mongodb+srv AWS key id:secret key",
            "mongodb+srv://AKIAEXAMPLE:S3cr3t-V4lue@cluster.example/shop?authMechanism=MONGODB-AWS",
            Keyring {
                stored: "mongodb+srv://AKIAEXAMPLE@cluster.example/shop?authMechanism=MONGODB-AWS",
                driver: "mongodb+srv://AKIAEXAMPLE:S3cr3t-V4lue@cluster.example/shop?authMechanism=MONGODB-AWS",
            },
        ),
        (
            "mongodb authMechanismProperties=AWS_SESSION_TOKEN:",
            "mongodb://AKIAEXAMPLE@db/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:S3cr3t-V4lue",
            Refused(ErrorCode::InvalidInput, "AWS_SESSION_TOKEN in DB Dock's environment"),
        ),
        (
            "mongodb authMechanismProperties, unknown key",
            "mongodb://db/?authMechanismProperties=SERVICE_NAME:mongodb,MYSTERY:S3cr3t-V4lue",
            Refused(ErrorCode::InvalidInput, "unknown authMechanismProperties key 'MYSTERY'"),
        ),
        (
            "mongodb ?tlsCertificateKeyFilePassword=",
            "mongodb://db/?tls=true&tlsCertificateKeyFilePassword=S3cr3t-V4lue",
            Refused(ErrorCode::Unsupported, "without a passphrase"),
        ),
        (
            "mongodb ?proxyPassword=",
            "mongodb://db/?proxyHost=p&proxyUsername=u&proxyPassword=S3cr3t-V4lue",
            Refused(ErrorCode::InvalidInput, "OS keyring"),
        ),
        (
            "redis :password",
            "redis://:S3cr3t-V4lue@cache:6379/0",
            Keyring { stored: "redis://cache:6379/0", driver: "redis://:S3cr3t-V4lue@cache:6379/0" },
        ),
        (
            "rediss user:password",
            "rediss://default:S3cr3t-V4lue@cache:6380",
            Keyring { stored: "rediss://default@cache:6380", driver: "rediss://default:S3cr3t-V4lue@cache:6380" },
        ),
        ("redis ?token=", "redis://cache/?token=S3cr3t-V4lue", Refused(ErrorCode::InvalidInput, "OS keyring")),
        (
            "nats token as user",
            "nats://S3cr3t-V4lue@bus:4222",
            Keyring { stored: "nats://bus:4222", driver: "nats://S3cr3t-V4lue@bus:4222" },
        ),
        (
            "tls (NATS) token as user",
            "tls://S3cr3t-V4lue@bus:4222?tls_ca=/ca.pem",
            Keyring { stored: "tls://bus:4222?tls_ca=/ca.pem", driver: "tls://S3cr3t-V4lue@bus:4222?tls_ca=/ca.pem" },
        ),
        (
            "nats user:password",
            "nats://alice:S3cr3t-V4lue@bus:4222",
            Keyring { stored: "nats://alice@bus:4222", driver: "nats://alice:S3cr3t-V4lue@bus:4222" },
        ),
        (
            "nats ?token=",
            "nats://bus:4222?token=S3cr3t-V4lue",
            Keyring { stored: "nats://bus:4222", driver: "nats://S3cr3t-V4lue@bus:4222" },
        ),
        ("nats ?nkey=", "nats://bus:4222?nkey=S3cr3t-V4lue", Refused(ErrorCode::Unsupported, "NKey")),
        ("nats ?jwt=", "nats://bus:4222?jwt=S3cr3t-V4lue", Refused(ErrorCode::Unsupported, "NKey")),
        (
            "nats token as user and ?token=",
            "nats://S3cr3t-V4lue@bus:4222?token=other",
            Refused(ErrorCode::InvalidInput, "twice"),
        ),
    ];

    fn assert_clean(form: &str, text: &str) {
        assert!(!text.contains(SECRET), "{form}: the secret shows in {text}");
    }

    #[test]
    fn every_credential_position_goes_to_the_keyring_or_is_refused() {
        for (form, input, then) in POSITIONS {
            let parsed = ConnectionTarget::parse(input);
            match then {
                Keyring { stored, driver } => {
                    let target = parsed.unwrap_or_else(|e| panic!("{form}: {e}"));
                    assert_eq!(target.password().map(Secret::expose), Some(SECRET), "{form}");
                    assert_eq!(target.url_without_secret(), *stored, "{form}");
                    assert_eq!(target.url_with_secret().expose(), *driver, "{form}");
                    assert_clean(form, &target.to_string());
                    assert_clean(form, &format!("{target:?}"));
                    let profile = Profile::transient(crate::ProfileSource::Environment, "p", &target, false, "t");
                    assert_clean(form, &serde_json::to_string(&profile).unwrap());
                    // What the store does: parse the stored URL, add the keyring's secret.
                    let resolved =
                        ConnectionTarget::parse(stored).unwrap().with_password(Some(Secret::new(SECRET.to_owned())));
                    assert_eq!(resolved.url_with_secret().expose(), *driver, "{form}: from the store");
                    assert_clean(form, &resolved.to_string());
                }
                Refused(code, reason) => {
                    let err = parsed.err().unwrap_or_else(|| panic!("{form} parsed"));
                    assert_eq!(err.code, *code, "{form}: {err}");
                    assert!(err.message.contains(reason), "{form}: {err}");
                    assert_clean(form, &err.message);
                }
            }
        }
    }

    #[test]
    fn unparseable_text_hides_every_credential() {
        for input in [
            "nats://S3cr3t-V4lue@bus:notaport",
            "postgres://u:S3cr3t-V4lue@h:x/db",
            "postgres://u@h:x/db?password=S3cr3t-V4lue&sslmode=require",
            "mongodb://h:x/?authMechanismProperties=AWS_SESSION_TOKEN:S3cr3t-V4lue",
            "Colour=blue;Pwd=S3cr3t-V4lue",
            "nats://S3cr3t-V4lue@/",
        ] {
            let err = ConnectionTarget::parse(input).err().unwrap_or_else(|| panic!("{input} parsed"));
            assert_clean(input, &err.message);
        }
    }
}
