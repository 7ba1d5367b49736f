#!/usr/bin/env bash
# Installs what zennbook needs and is missing; safe to run again (it skips what is there).
#   Debian packages: TeX Live (LuaLaTeX, luatexja, jlreq), Noto CJK and colour emoji fonts,
#   the fallback fonts the PDF's chains draw on (Noto Sans/Serif, Mono, Math, Symbols; HanaMin
#   for rare kanji), Unicode's data files (the tests' emoji list), poppler-utils, Chromium
#   (diagrams, browser tests), a JRE and EPUBCheck (validators), bubblewrap and prlimit (the
#   jail and limits external tools run in: zennbook/safety/sandbox.py).
#   Python: a virtual environment in .venv with the project and its test tools.
#   npm: mermaid-cli, driving Debian's Chromium (no browser download).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  texlive-luatex texlive-lang-japanese texlive-latex-extra texlive-latex-recommended
  texlive-fonts-recommended texlive-pictures texlive-science
  fonts-noto-cjk fonts-noto-color-emoji fonts-noto-core fonts-noto-mono fonts-hanazono fontconfig
  unicode-data
  poppler-utils chromium librsvg2-2 librsvg2-bin libcairo2 default-jre-headless epubcheck
  bubblewrap util-linux
)
# Tools that may come from elsewhere than Debian (a preinstalled Node.js, say): the package
# is installed only when the command is missing, so a working install is never replaced.
DEBIAN_TOOLS=(node:nodejs npm:npm make:make)

missing_packages() {
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
  for entry in "${DEBIAN_TOOLS[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || echo "${entry##*:}"
  done
  "${PYTHON:-python3}" -c "import venv, ensurepip" 2>/dev/null || echo python3-venv
}

install_debian() {
  local missing
  missing=$(missing_packages)
  [ -z "$missing" ] && { echo "setup: Debian packages present"; return; }
  echo "setup: installing Debian packages: $(echo $missing | tr '\n' ' ')"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

install_python() {
  local python="${PYTHON:-python3}"
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local stamp=.venv/.zennbook-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[test]'
    touch "$stamp"
  else
    echo "setup: Python packages present"
  fi
}

install_node() {
  [ -f package.json ] || return 0
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "setup: installing npm packages (mermaid-cli, MathJax, DAISY Ace; Debian's Chromium, no download)"
    # No downloads from npm install scripts: Debian's Chromium drives puppeteer and Ace; Ace's
    # optional Electron runner is not used.
    PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
      npm ci --no-audit --no-fund --loglevel=error
    touch node_modules
  else
    echo "setup: npm packages present"
  fi
}

warm_fonts() {
  # luaotfload builds its font database on first use (about two minutes): do it once here.
  # It lands in the first writable TEXMFCACHE folder (/var/lib/texmf as root, else
  # ~/.texlive*/texmf-var); each jailed LuaLaTeX job starts from a copy of it.
  local stamp=.venv/.zennbook-fonts
  [ -f "$stamp" ] && return 0
  echo "setup: building the LuaTeX font database (once)"
  luaotfload-tool --update --quiet || luaotfload-tool --update
  touch "$stamp"
}

install_debian
install_python
install_node
warm_fonts
echo "setup: done"
