#!/usr/bin/env bash
# System packages the test suite uses: Xvfb and Qt's X11 (xcb) libraries for the
# screenshot test of the real window, poppler-utils (pdftoppm) for the report's page
# images.  Installed with apt-get when missing and when we are allowed to (root);
# otherwise the tests that need them skip with a clear reason.
set -u
packages=(
  xvfb poppler-utils libgl1 libegl1 libxkbcommon-x11-0 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xinerama0
)
need=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "gaitlab test setup: installing ${need[*]} with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null) \
      || echo "gaitlab test setup: could not install ${need[*]}; the tests that need them will skip"
  else
    echo "gaitlab test setup: missing ${need[*]} (not root): the tests that need them will skip"
  fi
fi
exit 0
