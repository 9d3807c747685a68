#!/usr/bin/env bash
# A private sshd for the SSH tunnel tests (Rust, Python and the app's e2e all start it
# here, one way): `scripts/private-sshd.sh DIR [PORT]` generates, in DIR, a host key and
# a user key, and starts /usr/sbin/sshd on 127.0.0.1:PORT (a free port when none is
# given) for the unprivileged user `dbdock-tunnel`, who may log in with that key or the
# password in DIR/password (the same for every private sshd), and do nothing but forward ports. Root may not log in. It
# prints the port; DIR/pid holds the listener's pid. Started again on the same DIR, it
# reuses the keys (a restarted host keeps its host key). Needs root (it creates the user
# and sshd must start as root); the tests run as root.
#
#   DIR/host_ed25519(.pub)  the host key        DIR/user_ed25519(.pub)  the user's key
#   DIR/password            the user's password DIR/sshd.log            sshd's debug log
set -euo pipefail
dir=$(realpath "$1")
port=${2:-}
user=dbdock-tunnel
[ "$(id -u)" -eq 0 ] || { echo "private-sshd: must run as root (sshd and useradd)" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "private-sshd: /usr/sbin/sshd is missing: apt-get install openssh-server" >&2; exit 1; }
mkdir -p "$dir" /run/sshd
chmod 755 "$dir"
# One user and one password for every private sshd on the machine (tests run several at
# once): made once, under a lock, and kept root-only.
secret=/etc/dbdock-tunnel.password
(
    flock 9
    if ! id "$user" >/dev/null 2>&1; then
        useradd --system --create-home --shell /bin/sh "$user"
    fi
    if [ ! -s "$secret" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$secret")
    fi
    # Every time: the same password again, whatever changed it since.
    echo "$user:$(cat "$secret")" | chpasswd
) 9>/run/lock/dbdock-tunnel-user.lock
[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C dbdock-test-host -f "$dir/host_ed25519"
[ -f "$dir/user_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C dbdock-test-user -f "$dir/user_ed25519"
cp "$secret" "$dir/password"
# sshd reads the keys as the user, who may not be able to walk down to DIR (a test's
# temporary directory is often under a 0700 one): they go where the user can read them.
keys=/run/dbdock-sshd/$(printf %s "$dir" | md5sum | cut -c1-16)
mkdir -p "$keys"
chmod 755 /run/dbdock-sshd "$keys"
cp "$dir/user_ed25519.pub" "$keys/authorized_keys"
chmod 644 "$keys/authorized_keys"
if [ -z "$port" ]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
cat > "$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $dir/host_ed25519
PidFile $dir/pid
AuthorizedKeysFile $keys/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin no
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding local
PermitTTY no
X11Forwarding no
ForceCommand /bin/false
LogLevel DEBUG1
CONF
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
for _ in $(seq 100); do
    if timeout 1 bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; then
        echo "$port"
        exit 0
    fi
    sleep 0.1
done
echo "private-sshd: sshd did not listen on 127.0.0.1:$port (log: $dir/sshd.log)" >&2
exit 1
