# Sourced by the scripts in bin/: finds a JDK of version 25 or newer without any environment variable.
# Order: $JAVA_HOME if it is new enough, else the newest JDK under /usr/lib/jvm. Bash builtins only (no program is
# started), since bin/mapsync runs this on every command.

# Sets mapsync_major to the major version of the JDK at $1, or to nothing.
mapsync_jdk_major() {
  local home=$1 line
  mapsync_major=""
  [ -x "$home/bin/java" ] || return 0
  if [ ! -f "$home/release" ]; then   # every JDK has one; asking java itself is the slow way
    mapsync_major=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
    return 0
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
      mapsync_major=${BASH_REMATCH[1]}
      return 0
    fi
  done <"$home/release"
}

# Sets mapsync_jdk to the home of a JDK >= 25, or explains what to install and fails.
mapsync_select_jdk() {
  local best="" best_major=0 home
  if [ -n "${JAVA_HOME:-}" ]; then
    mapsync_jdk_major "$JAVA_HOME"
    if [ -n "$mapsync_major" ] && [ "$mapsync_major" -ge 25 ] && [ -x "$JAVA_HOME/bin/javac" ]; then
      mapsync_jdk=$JAVA_HOME
      return 0
    fi
  fi
  for home in /usr/lib/jvm/*; do
    [ -d "$home" ] && [ ! -L "$home" ] || continue
    [ -x "$home/bin/javac" ] || continue
    mapsync_jdk_major "$home"
    if [ -n "$mapsync_major" ] && [ "$mapsync_major" -ge 25 ] && [ "$mapsync_major" -gt "$best_major" ]; then
      best=$home
      best_major=$mapsync_major
    fi
  done
  if [ -n "$best" ]; then
    mapsync_jdk=$best
    return 0
  fi
  echo "mapsync needs a JDK of version 25 or newer and found none (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has: $(ls /usr/lib/jvm 2>/dev/null | tr '\n' ' '))." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' or 'apt-get install openjdk-25-jdk', or point JAVA_HOME at it." >&2
  return 1
}

# Prints the home of a JDK >= 25, or explains what to install and fails.
mapsync_find_jdk() {
  mapsync_select_jdk && echo "$mapsync_jdk"
}

# Maven's own libraries print warnings about sun.misc.Unsafe on new JDKs; they are not ours to fix.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
