# bench/lib.sh: sourced by bench/run.sh and bench/tls.sh (needs $runs and $data set).
#
# time_best LABEL FILE CMD...: runs CMD $runs times on a warm page cache (FILE read once
# beforehand) under GNU time. Sets best_wall and best_cpu (user + sys), each the best of the
# runs on its own (wall time is the most disturbed by other load, CPU time the least), peak_kb
# (the highest peak RSS), file_bytes and file_packets of FILE. Exits with CMD's last lines on
# stderr if a run fails.
time_best() {
    tb_label=$1 tb_file=$2
    shift 2
    cat "$tb_file" >/dev/null
    best_wall="" best_cpu="" peak_kb=0 tb_i=0
    while [ $tb_i -lt "$runs" ]; do
        tb_i=$((tb_i + 1))
        /usr/bin/time -v -o "$data/time.txt" "$@" >/dev/null 2>"$data/stderr.txt" ||
            { echo "bench: $tb_label failed: $(tail -3 "$data/stderr.txt")" >&2; exit 1; }
        tb_w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
                    for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$data/time.txt")
        tb_c=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$data/time.txt")
        tb_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
        best_wall=$(awk -v a="$best_wall" -v b="$tb_w" 'BEGIN {print (a == "" || b < a) ? b : a}')
        best_cpu=$(awk -v a="$best_cpu" -v b="$tb_c" 'BEGIN {print (a == "" || b < a) ? b : a}')
        [ "$tb_rss" -gt "$peak_kb" ] && peak_kb=$tb_rss
    done
    file_bytes=$(stat -L -c %s "$tb_file")
    file_packets=$(capinfos -T -r -c -M "$tb_file" 2>/dev/null | awk '{print $2}')
}
