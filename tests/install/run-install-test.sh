#!/usr/bin/env bash
# Installs a configured and built viscode tree into a scratch prefix and consumes it the two
# ways users do: find_package() from CMake and pkg-config from a plain compiler line. Then
# runs the installed CLI. Usage: run-install-test.sh BUILD_DIR CONSUMER_SRC [CONFIG]
set -euo pipefail

build=${1:?usage: run-install-test.sh BUILD_DIR CONSUMER_SRC [CONFIG]}
consumer=${2:?usage: run-install-test.sh BUILD_DIR CONSUMER_SRC [CONFIG]}
config=${3:-Release}
cmake=${CMAKE:-cmake}
pkg_config=${PKG_CONFIG:-pkg-config}
cxx=${CXX:-c++}

fail() {
  echo "install test: FAILED: $*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/viscode-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" --config "$config" > "$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install"; }

# GNUInstallDirs picks lib, lib64 or lib/<multiarch> depending on the platform and prefix the
# build was configured with, so find the library directory rather than assume it.
config_file=$(find "$prefix" -name viscodeConfig.cmake -print -quit)
[[ -n $config_file ]] || fail "no viscodeConfig.cmake under $prefix"
libdir=$(dirname "$(dirname "$(dirname "$config_file")")")
echo "   libdir: $libdir"
for f in "$libdir/pkgconfig/viscode.pc" "$prefix/include/viscode/viscode.hpp" \
         "$prefix/bin/viscode"; do
  [[ -e $f ]] || fail "$f was not installed"
done
compgen -G "$libdir/libviscode.so*" > /dev/null || fail "no libviscode.so in $libdir"
# Private dependencies, build-only targets and build-tree paths must not leak into the
# exported interface.
build_abs=$(cd "$build" && pwd)
if grep -Eq 'viscode_warnings|PkgConfig::' "$(dirname "$config_file")"/viscodeTargets*.cmake ||
   grep -Fq "$build_abs" "$(dirname "$config_file")"/viscodeTargets*.cmake; then
  fail "viscodeTargets.cmake references build-tree-only targets or paths"
fi
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "== find_package(viscode) consumer"
"$cmake" -S "$consumer" -B "$work/consumer-build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" > "$work/consumer-configure.log" 2>&1 ||
  { cat "$work/consumer-configure.log"; fail "configuring the consumer"; }
"$cmake" --build "$work/consumer-build" > "$work/consumer-build.log" 2>&1 ||
  { cat "$work/consumer-build.log"; fail "building the consumer"; }
[[ $(ldd "$work/consumer-build/app") == *"$libdir/libviscode.so"* ]] ||
  fail "the consumer does not load libviscode from $libdir"
"$work/consumer-build/app" || fail "the find_package consumer"

echo "== pkg-config consumer"
export PKG_CONFIG_PATH=$libdir/pkgconfig
version=$("$pkg_config" --modversion viscode) || fail "pkg-config does not find viscode"
pc_prefix=$("$pkg_config" --variable=prefix viscode)
# viscode.pc derives its prefix from its own location (${pcfiledir}), so an install under
# any --prefix must point back at that prefix.
[[ $(realpath -m "$pc_prefix") == $(realpath -m "$prefix") ]] ||
  fail "viscode.pc says prefix=$pc_prefix, not $prefix: it is not relocatable"
read -r -a flags <<< "$("$pkg_config" --cflags --libs viscode)"
# pkg-config hands out OpenCV's headers with -I, not -isystem, so OpenCV 4's own C++20
# deprecation warnings would drown the output; they are not viscode's.
"$cxx" -std=c++20 -Wno-deprecated-enum-enum-conversion "$consumer/main.cpp" "${flags[@]}" \
  -o "$work/app-pc" ||
  fail "compiling with: pkg-config --cflags --libs viscode (${flags[*]})"
"$work/app-pc" || fail "the pkg-config consumer"

echo "== installed CLI"
cli_version=$("$prefix/bin/viscode" --version) || fail "viscode --version"
[[ $cli_version == "viscode $version" ]] ||
  fail "viscode --version says '$cli_version', pkg-config says $version"
"$prefix/bin/viscode" encode --data hello -o "$work/code.png" > /dev/null ||
  fail "the installed CLI cannot encode"
[[ -s $work/code.png ]] || fail "the installed CLI wrote no PNG"

echo "install test: ok ($cli_version)"
