#!/usr/bin/env bash
# A private podman engine for the Compute tests and benchmark: its own storage, run root,
# containers.conf and Docker-compatible API socket, all under one directory. Nothing in /etc changes.
#
#   podman-env.sh start DIR   writes DIR/containers.conf, starts `podman system service` on
#                             unix://DIR/podman.sock (pid in DIR/service.pid), imports the test image
#                             localhost/edgeplane/busybox:test from Debian's busybox-static
#   podman-env.sh podman DIR ARGS...   runs the podman CLI against the same storage
#   podman-env.sh serve DIR SOCKET     serves the same storage on another socket, in the foreground
#                                      (a second "node" a test can take down by ending the process)
#   podman-env.sh stop DIR    removes every container, stops the service, deletes DIR
#
# Why the settings (see /work/shared/BENCHMARKS.md): the sandbox forbids raising rlimits, so the
# default ulimits stay at the machine's hard limits; crun fails on the hybrid cgroup setup, so runc.
set -euo pipefail

cmd=${1:?usage: podman-env.sh start|stop|podman DIR}
dir=${2:?usage: podman-env.sh start|stop|podman DIR}
image=localhost/edgeplane/busybox:test

opts=(--root "$dir/storage" --runroot "$dir/run" --tmpdir "$dir/tmp"
  --storage-driver vfs --cgroup-manager cgroupfs --events-backend file)
export CONTAINERS_CONF="$dir/containers.conf"

podman_in() { podman "${opts[@]}" "$@"; }

case "$cmd" in
start)
  for tool in podman runc busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run build/install-test-deps.sh" >&2; exit 3; }
  done
  mkdir -p "$dir/storage" "$dir/run" "$dir/tmp"
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nproc" = unlimited ] && nproc=4096
  ((nofile > 20000)) && nofile=20000
  ((nproc > 4096)) && nproc=4096
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  if ! podman_in image exists "$image" 2>/dev/null; then
    rootfs="$dir/rootfs"
    mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/tmp" "$rootfs/etc"
    cp "$(command -v busybox)" "$rootfs/bin/busybox"
    for applet in $("$rootfs/bin/busybox" --list); do
      [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    echo 'edgeplane compute test page' >"$rootfs/www/index.html"
    tar -C "$rootfs" -cf "$dir/rootfs.tar" .
    podman_in import --quiet \
      --change 'CMD ["/bin/httpd","-f","-p","80","-h","/www"]' \
      --change 'EXPOSE 80' \
      "$dir/rootfs.tar" "$image" >/dev/null
    rm -rf "$rootfs" "$dir/rootfs.tar"
  fi
  rm -f "$dir/podman.sock"
  # Started directly (not through a function) so that $! is podman's own pid.
  setsid podman "${opts[@]}" system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1 </dev/null &
  echo $! >"$dir/service.pid"
  for _ in $(seq 1 200); do
    [ -S "$dir/podman.sock" ] && curl -fs --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1 && { echo "unix://$dir/podman.sock"; exit 0; }
    sleep 0.05
  done
  echo "podman service did not start:" >&2; cat "$dir/service.log" >&2; exit 1
  ;;
serve)
  sock=${3:?usage: podman-env.sh serve DIR SOCKET}
  exec podman "${opts[@]}" system service --time=0 "unix://$sock"
  ;;
podman)
  shift 2
  podman_in "$@"
  ;;
stop)
  podman_in rm -af -t 0 >/dev/null 2>&1 || true
  if [ -f "$dir/service.pid" ]; then
    pid=$(cat "$dir/service.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  podman_in system reset --force >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "unknown command $cmd" >&2; exit 2 ;;
esac
