#!/usr/bin/env bash
# Builds compute-node/target/gpu-check/: everything scripts/gpu-check.sh needs on a machine with an
# NVIDIA GPU but no Java, Maven or internet access:
#   runtime.tar.xz   a jlink'ed Java runtime (modules the node and the tests use)
#   lib/             the compute-node jar, its test classes as a jar, dependency jars, the JUnit
#                    console launcher (from Maven Central)
#   models/stories260K/  the model, tokenizer and reference output, copied from ../shared
#                    (the GGUF-style tests and CudaQuantBenchmark build their models in memory)
# Total stays under 64 MiB (the device runner's carry limit).
#
#   compute-node/scripts/package-gpu-check.sh        (from anywhere; needs JAVA_HOME to a JDK 25)
set -euo pipefail

module_dir="$(cd "$(dirname "$0")/.." && pwd)"
repo_dir="$(cd "$module_dir/.." && pwd)"
out="$module_dir/target/gpu-check"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
junit_platform_version="${JUNIT_PLATFORM_VERSION:-1.14.1}"
mvn=("$repo_dir/mvnw" -B -ntp -q)

rm -rf "$out"
mkdir -p "$out/lib" "$out/deps"

echo "package-gpu-check: building compute-node and collecting its dependencies"
(cd "$repo_dir" && JAVA_HOME="$java_home" "${mvn[@]}" -pl compute-node -am package \
  dependency:copy-dependencies -DskipTests -DincludeScope=test -DoutputDirectory="$out/deps")
(cd "$repo_dir" && JAVA_HOME="$java_home" "${mvn[@]}" dependency:copy -N \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform_version" \
  -DoutputDirectory="$out/lib")

cp "$module_dir"/target/gridshare-compute-node-*.jar "$out/lib/"
"$java_home/bin/jar" --create --file "$out/lib/gridshare-compute-node-tests.jar" -C "$module_dir/target/test-classes" .

# The engine tests need none of the network stack; JUnit comes as the console launcher's
# standalone jar; JCuda's natives jar loses the 24 MB nvPTXCompiler binding the driver API
# does not use. What is left fits next to the runtime in the carry limit.
for jar in "$out"/deps/*.jar; do
  name="$(basename "$jar")"
  case "$name" in
    grpc-netty-shaded-*|junit-*|opentest4j-*|apiguardian-*|awaitility-*|hamcrest-*) ;;
    jcuda-natives-*)
      tmp="$(mktemp -d)"
      (cd "$tmp" && "$java_home/bin/jar" --extract --file "$jar" && rm -f lib/libJNvPTXCompiler-*.so \
        && "$java_home/bin/jar" --create --file "$out/lib/$name" --manifest META-INF/MANIFEST.MF \
           $(find . -type f ! -path ./META-INF/MANIFEST.MF | sed 's|^\./||'))
      rm -rf "$tmp" ;;
    *) cp "$jar" "$out/lib/" ;;
  esac
done
rm -rf "$out/deps"

echo "package-gpu-check: linking the Java runtime"
modules="java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.instrument"
modules="$modules,jdk.httpserver,jdk.incubator.vector,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.management"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-9 --output "$out/runtime"
tar -C "$out" -cJf "$out/runtime.tar.xz" runtime
rm -rf "$out/runtime"

models_src="${GRIDSHARE_MODELS_DIR:-$repo_dir/../shared/models}/stories260K"
mkdir -p "$out/models/stories260K"
cp "$models_src"/stories260K.bin "$models_src"/tok512.bin "$models_src"/reference-greedy-256.txt \
  "$out/models/stories260K/"

total=$(du -sb "$out" | cut -f1)
echo "package-gpu-check: $out holds $((total / 1024 / 1024)) MiB"
if (( total >= 64 * 1024 * 1024 )); then
  echo "package-gpu-check: over the 64 MiB limit" >&2
  exit 1
fi
