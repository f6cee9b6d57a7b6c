#!/usr/bin/env bash
# System packages the test suite uses (screenshots under a real X server, PDF pages).
# Installed with apt-get when missing and when we are allowed to (root); otherwise the
# tests that need them skip with a clear reason.
set -u
need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "gaitlab test setup: installing ${need[*]} with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" libgl1 libegl1 libxkbcommon-x11-0 libxcb-cursor0 >/dev/null) \
    || echo "gaitlab test setup: could not install ${need[*]}; the tests that need them will skip"
fi
exit 0
