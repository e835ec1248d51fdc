# prints total CPU ticks of ojs-server and of postgres backends
S=$(pgrep -f 'target/release/ojs-server' | head -1)
s=$(awk '{print $14+$15}' /proc/$S/stat)
p=0; for pid in $(pgrep -u postgres); do t=$(awk '{print $14+$15}' /proc/$pid/stat 2>/dev/null); p=$((p+${t:-0})); done
b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
echo "$s $p"
