# Sourced by the scripts in bin/: finds a JDK of version 25 or newer without any environment variable.
# Order: $JAVA_HOME if it is new enough, else the newest JDK under /usr/lib/jvm.

# The major version of the JDK at $1, or nothing.
mapsync_jdk_major() {
  local home=$1 version=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
  fi
  echo "$version"
}

# Prints the home of a JDK >= 25, or explains what to install and fails.
mapsync_find_jdk() {
  local best="" best_major=0 home major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(mapsync_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$JAVA_HOME/bin/javac" ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  for home in /usr/lib/jvm/*; do
    [ -d "$home" ] && [ ! -L "$home" ] || continue
    [ -x "$home/bin/javac" ] || continue
    major=$(mapsync_jdk_major "$home")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best=$home
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  echo "mapsync needs a JDK of version 25 or newer and found none (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has: $(ls /usr/lib/jvm 2>/dev/null | tr '\n' ' '))." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' or 'apt-get install openjdk-25-jdk', or point JAVA_HOME at it." >&2
  return 1
}

# Maven's own libraries print warnings about sun.misc.Unsafe on new JDKs; they are not ours to fix.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
