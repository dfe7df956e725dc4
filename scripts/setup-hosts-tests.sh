#!/usr/bin/env bash
# The SSH-host tests (Tests/EndToEndTests/HostTests) run their own sshd inside network
# namespaces they create: they need Debian's openssh-server binary, not a system SSH server.
# Installed here without leaving one running.
set -euo pipefail
[[ -x /usr/sbin/sshd ]] && exit 0
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server >/dev/null
# Where systemd runs, apt enabled and started ssh.service: the tests need only the binary.
if [[ -d /run/systemd/system ]]; then
  $SUDO systemctl disable --now ssh >/dev/null 2>&1 || true
fi
echo "setup-hosts-tests: ok (/usr/sbin/sshd for the namespace hosts)"
