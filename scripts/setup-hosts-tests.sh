#!/usr/bin/env bash
# The SSH-host tests (HostTests, SessionOnHostTests) and `clawmux-bench --hosts` run their own
# sshd inside network namespaces they create. They need Debian's openssh-server binary (not a
# system SSH server: installed here without leaving one running) and a user to log in as on
# those "hosts": `clawmux-remote`, with /bin/sh as its shell and an empty home, as an agent's
# account on a build box would be (and not root, whose ~/.bashrc here runs pyenv on every ssh
# command).
set -euo pipefail
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
if [[ ! -x /usr/sbin/sshd ]]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server >/dev/null
  # Where systemd runs, apt enabled and started ssh.service: the tests need only the binary.
  if [[ -d /run/systemd/system ]]; then
    $SUDO systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
fi
if ! getent passwd clawmux-remote >/dev/null; then
  $SUDO useradd --system --create-home --home-dir /home/clawmux-remote --shell /bin/sh clawmux-remote
fi
# No password, yet not locked ("!"): sshd refuses a locked account even a key.
$SUDO usermod -p '*' clawmux-remote
echo "setup-hosts-tests: ok (/usr/sbin/sshd and the user clawmux-remote for the namespace hosts)"
