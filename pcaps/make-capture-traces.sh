#!/bin/sh
# make-capture-traces.sh: records pcaps/capture/<case>.pcap[ng] for the capture layer's
# end-to-end tests, each from a real program: tcpdump on the loopback of a network namespace
# of our own (MTU 1500, so a 4000-byte UDP
# datagram is fragmented by the kernel; TCP is written 1000 bytes at a time), then variants made from those real packets with
# editcap, tcprewrite and python3-scapy. The IPsec case is ESP sent through the kernel (IPv4 raw
# socket, scapy) over a veth pair between two namespaces, IKE from a python socket.
# Each case gets <case>.md: the command that made it, what it proves, and capinfos' facts.
#
# Needs root on Debian 12; installs tcpdump, wireshark-common (editcap, capinfos),
# tcpreplay (tcprewrite), python3-scapy and iproute2 when missing. Takes about 30 s.
# Idempotent: namespaces ($NETNS_PREFIX in front) are deleted and re-made, outputs overwritten.
# Usage: pcaps/make-capture-traces.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/capture
tools=$here/tools
py=/usr/bin/python3 # Debian's, which has scapy
. "$here/tools/capture-lib.sh"
ns=$(netns_name sipsec-cap) na=$(netns_name sipsec-cap-a) nb=$(netns_name sipsec-cap-b)

need() { # COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need tcpdump tcpdump
need editcap wireshark-common
need capinfos wireshark-common
need tcprewrite tcpreplay
need ip iproute2
$py -c 'import scapy' 2>/dev/null || need scapy python3-scapy

mkdir -p "$out"
netns_new $ns 1500

# record FILE TCPDUMP-OPTIONS -- COMMAND...: capture on the namespace's loopback while
# COMMAND runs inside it. FILTER is in $filter (default: everything).
filter=""
record() {
    file=$1
    shift
    opts=""
    while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    capture_start $ns "$file" "$filter" $opts
    ip netns exec $ns "$@"
    capture_stop
}

# describe CASE COMMAND PROVES: write CASE.md beside the trace
describe() {
    case_=$1 cmd=$2 proves=$3
    f=$(ls "$out/$case_".pcap "$out/$case_".pcapng 2>/dev/null | head -1)
    {
        echo "# $case_"
        echo
        echo "Made by \`pcaps/make-capture-traces.sh\` ($(date -u +%Y-%m-%d), $(uname -sr), $(tcpdump --version 2>&1 | head -1))."
        echo
        echo "Command:"
        echo
        echo '```'
        echo "$cmd"
        echo '```'
        echo
        echo "Proves: $proves"
        echo
        echo "Facts (capinfos -t -E -c -s, tshark where noted):"
        echo
        echo '```'
        capinfos -t -E -c -s "$f" 2>/dev/null | grep -v '^File name' || true
        echo '```'
    } >"$out/$case_.md"
}

# facts CASE [JQ-EXPR...]: write CASE.assert.jq, the facts tests/e2e/run-golden.sh checks on
# sipsec's report independently of the golden: packet count, link type, packets cut by
# snaplen and first/last time as TShark reads the trace, then the case's own expressions.
facts() {
    case_=$1
    shift
    f=$(ls "$out/$case_".pcap "$out/$case_".pcapng 2>/dev/null | head -1)
    enc=$(capinfos -T -r -E "$f" 2>/dev/null | awk '{print $2}')
    case $enc in
    ether) dlt=EN10MB ;; linux-sll) dlt=LINUX_SLL ;; linux-sll2) dlt=LINUX_SLL2 ;;
    null) dlt=NULL ;; rawip4) dlt=IPV4 ;; rawip) dlt=RAW ;; *) dlt=$enc ;;
    esac
    n=$(tshark -n -r "$f" 2>/dev/null | wc -l)
    cut=$(tshark -n -r "$f" -Y 'frame.cap_len < frame.len' 2>/dev/null | wc -l)
    conns=$(tshark -n -r "$f" -T fields -e tcp.stream 2>/dev/null | grep -c . | tr -d ' ')
    [ "$conns" = 0 ] || conns=$(tshark -n -r "$f" -T fields -e tcp.stream 2>/dev/null | grep . | sort -u | wc -l)
    {
        echo "# Written by pcaps/make-capture-traces.sh from TShark $(tshark --version | head -1 | cut -d' ' -f3) and capinfos;"
        echo "# independent of $case_.json. One jq expression per line, each must be true."
        echo ".input.packets == $n"
        echo ".input.link_types == [\"$dlt\"]"
        echo ".input.truncated_packets == $cut"
        if [ "$n" -gt 0 ]; then
            for w in first last; do
                e=$(tshark -n -r "$f" -T fields -e frame.time_epoch 2>/dev/null | sed -n "$([ $w = first ] && echo 1p || echo '$p')")
                t=$(date -u -d "@$e" +%Y-%m-%dT%H:%M:%S.%6N)
                echo ".input.${w}_time | startswith(\"$t\")"
            done
        else
            echo ".input.first_time == null and .input.last_time == null"
        fi
        [ "$conns" = 0 ] || echo ".stats.tcp_connections == $conns"
        for e in "$@"; do echo "$e"; done
    } >"$out/$case_.assert.jq"
}
tcp_all='.stats.tcp_packets == .input.packets'
no_findings='.findings == []'

X="$py $tools/xfer.py"

# 1. The base case: one real TCP connection over 127.0.0.1, 20000 bytes one way.
record "$out/tcp-v4.pcap" -i lo -- $X tcp 127.0.0.1 5070 20000
describe tcp-v4 "tcpdump -i lo (netns, lo mtu 1500) while: xfer.py tcp 127.0.0.1 5070 20000" \
    "EN10MB decoding (Linux loopback uses Ethernet framing with zero MACs), IPv4, TCP: a complete connection SYN..FIN with 20000 bytes client->server in 20 segments of 1000 bytes and a 16-byte reply."
facts tcp-v4 "$tcp_all" ".stats.tcp_gaps == 0" "$no_findings"

# 2. pcapng container of the same packets.
editcap -F pcapng "$out/tcp-v4.pcap" "$out/tcp-v4-ng.pcapng"
describe tcp-v4-ng "editcap -F pcapng tcp-v4.pcap tcp-v4-ng.pcapng" \
    "pcapng is read through libpcap and yields the same packets, bytes and times as tcp-v4.pcap."
facts tcp-v4-ng "$tcp_all" ".input.bytes == $(tshark -n -r "$out/tcp-v4.pcap" -T fields -e frame.len 2>/dev/null | awk '{s += $1} END {print s}')" "$no_findings"

# 3. 802.1Q: one VLAN tag inserted by tcprewrite.
tcprewrite --enet-vlan=add --enet-vlan-tag=100 --enet-vlan-pri=0 --enet-vlan-cfi=0 \
    --infile="$out/tcp-v4.pcap" --outfile="$out/tcp-v4-vlan.pcap"
describe tcp-v4-vlan "tcprewrite --enet-vlan=add --enet-vlan-tag=100 --enet-vlan-pri=0 --enet-vlan-cfi=0 --infile=tcp-v4.pcap --outfile=tcp-v4-vlan.pcap" \
    "802.1Q (0x8100, VLAN 100) is skipped to reach IPv4; same TCP facts as tcp-v4."
facts tcp-v4-vlan "$tcp_all" ".stats.ipv4_packets == .input.packets" "$no_findings"

# 4. QinQ: 802.1ad S-tag 200 + 802.1Q C-tag 100 inserted by scapy.
$py "$tools/rewrite.py" qinq "$out/tcp-v4.pcap" "$out/tcp-v4-qinq.pcap" 200 100
describe tcp-v4-qinq "pcaps/tools/rewrite.py qinq tcp-v4.pcap tcp-v4-qinq.pcap 200 100" \
    "802.1ad (0x88a8, S-VLAN 200) followed by 802.1Q (C-VLAN 100) is skipped to reach IPv4."
facts tcp-v4-qinq "$tcp_all" ".stats.ipv4_packets == .input.packets" "$no_findings"

# 5/6. Linux cooked captures, v1 and v2, of a fresh transfer (tcpdump -i any).
record "$out/tcp-v4-sll.pcap" -i any -y LINUX_SLL -- $X tcp 127.0.0.1 5071 8000
describe tcp-v4-sll "tcpdump -i any -y LINUX_SLL (netns, lo mtu 1500) while: xfer.py tcp 127.0.0.1 5071 8000" \
    "LINUX_SLL (16-byte cooked header, protocol field 0x0800) decoding."
facts tcp-v4-sll "$tcp_all" ".stats.ipv4_packets == .input.packets"
record "$out/tcp-v4-sll2.pcap" -i any -y LINUX_SLL2 -- $X tcp 127.0.0.1 5072 8000
describe tcp-v4-sll2 "tcpdump -i any -y LINUX_SLL2 (netns, lo mtu 1500) while: xfer.py tcp 127.0.0.1 5072 8000" \
    "LINUX_SLL2 (20-byte cooked header, protocol first) decoding."
facts tcp-v4-sll2 "$tcp_all" ".stats.ipv4_packets == .input.packets"

# 7. IPv6 TCP over ::1.
record "$out/tcp-v6.pcap" -i lo -- $X tcp ::1 5073 12000
describe tcp-v6 "tcpdump -i lo (netns, lo mtu 1500) while: xfer.py tcp ::1 5073 12000" \
    "IPv6 (next header TCP) decoding and [v6]:port endpoints; 12000 bytes in 12 segments."
facts tcp-v6 "$tcp_all" ".stats.ipv6_packets == .input.packets"

# 8/9. Fragments: 3 UDP datagrams of 4000 bytes each, fragmented by the kernel (MTU 1500).
record "$out/udp-frag-v4.pcap" -i lo -- $X udp 127.0.0.1 5074 4000 3
describe udp-frag-v4 "tcpdump -i lo (netns, lo mtu 1500) while: xfer.py udp 127.0.0.1 5074 4000 3" \
    "IPv4 fragment reassembly: 3 datagrams of 4008 UDP bytes, each in 3 fragments (9 packets)."
facts udp-frag-v4 ".stats.ip_fragments == 9" ".stats.ip_reassembled == 3" ".stats.udp_packets == 3"
record "$out/udp-frag-v6.pcap" -i lo -- $X udp ::1 5075 4000 3
describe udp-frag-v6 "tcpdump -i lo (netns, lo mtu 1500) while: xfer.py udp ::1 5075 4000 3" \
    "IPv6 Fragment extension header reassembly: 3 datagrams of 4008 UDP bytes, each in 3 fragments."
facts udp-frag-v6 ".stats.ipv6_packets == 9" ".stats.ip_fragments == 9" ".stats.ip_reassembled == 3" ".stats.udp_packets == 3"

# 10. Out-of-order TCP: two data segments of the real transfer swapped.
swapped=$($py "$tools/rewrite.py" reorder "$out/tcp-v4.pcap" "$out/tcp-v4-reordered.pcap")
describe tcp-v4-reordered "pcaps/tools/rewrite.py reorder tcp-v4.pcap tcp-v4-reordered.pcap   # $swapped" \
    "TCP reassembly puts an out-of-order segment back in sequence: same byte totals as tcp-v4, one segment arrives before its predecessor ($swapped)."
facts tcp-v4-reordered "$tcp_all" ".stats.tcp_gaps == 0" "$no_findings"

# 11. A file that ends in the middle of a record: the last 40 bytes of tcp-v4.pcap cut off.
size=$(stat -c %s "$out/tcp-v4.pcap")
head -c $((size - 40)) "$out/tcp-v4.pcap" >"$out/tcp-v4-truncated.pcap"
describe tcp-v4-truncated "head -c \$((\$(stat -c %s tcp-v4.pcap) - 40)) tcp-v4.pcap > tcp-v4-truncated.pcap   # $((size - 40)) of $size bytes" \
    "A file ending mid-record: every complete record before it is analyzed, exit 0, CAPTURE_TRUNCATED finding. (capinfos warns that the file was cut short in the middle of a packet; the packet count below is the readable records.)"
facts tcp-v4-truncated ".input.damaged == true" 'any(.findings[]; .code == "CAPTURE_TRUNCATED")'

# 12. Snaplen: every packet cut to 96 bytes by tcpdump itself.
record "$out/tcp-v4-snaplen96.pcap" -i lo -s 96 -- $X tcp 127.0.0.1 5076 8000
describe tcp-v4-snaplen96 "tcpdump -i lo -s 96 (netns, lo mtu 1500) while: xfer.py tcp 127.0.0.1 5076 8000" \
    "Packets cut by snaplen count in input.truncated_packets (every data segment: caplen 96 < len); headers still decode; CAPTURE_TRUNCATED finding."
facts tcp-v4-snaplen96 'any(.findings[]; .code == "CAPTURE_TRUNCATED")'

# 13. Empty: a valid pcap header and no record (tcpdump writing a filter that matches nothing).
tcpdump -r "$out/tcp-v4.pcap" -w "$out/empty.pcap" 'udp port 9' 2>/dev/null
describe empty "tcpdump -r tcp-v4.pcap -w empty.pcap 'udp port 9'" \
    "A capture with a header and zero packets is analyzed: exit 0, packets 0, no times."
facts empty "$no_findings"

# 14. Not a capture: text. <case>.exit tells run-golden.sh the exit status to expect.
cat >"$out/not-a-capture.pcap" <<'EOF'
This is a text file named .pcap. sipsec must say it is not a capture and exit 2.
EOF
echo 2 >"$out/not-a-capture.exit"
describe not-a-capture "cat > not-a-capture.pcap (text)" \
    "A file that is not a capture is refused with one line on stderr and exit status 2."

# 15. IPsec: ESP both ways between 10.98.0.1 and 10.98.0.2, ESP-in-UDP (NAT-T, port 4500)
# between 10.98.0.1 and 10.98.0.3, sent by scapy through the kernel (this kernel has no
# xfrm ESP: "ip xfrm state add" answers "Requested type not found"), and IKEv2 datagrams on
# UDP 500 and 4500 (with the non-ESP marker) from a python socket; tcpdump on the veth.
netns_pair $na sxcap-a 10.98.0.1/24 $nb sxcap-b "10.98.0.2/24 10.98.0.3/24"
capture_start $na "$out/esp-ike.pcap" 'ip and not icmp' -i sxcap-a
ip netns exec $na $X ike 10.98.0.2 500 500
ip netns exec $na $py "$tools/esp_send.py" 10.98.0.1 10.98.0.2 0x00001001 4
ip netns exec $nb $py "$tools/esp_send.py" 10.98.0.2 10.98.0.1 0x00002002 4
ip netns exec $na $X ike 10.98.0.3 4500 4500
ip netns exec $na $py "$tools/esp_send.py" 10.98.0.1 10.98.0.3 0x00003003 3 4500
capture_stop
describe esp-ike "two netns over veth, tcpdump -i sxcap-a; xfer.py ike 10.98.0.2 500 500; esp_send.py 10.98.0.1 10.98.0.2 0x00001001 4 (netns a); esp_send.py 10.98.0.2 10.98.0.1 0x00002002 4 (netns b); xfer.py ike 10.98.0.3 4500 4500; esp_send.py 10.98.0.1 10.98.0.3 0x00003003 3 4500" \
    "ipsec section: hosts 10.98.0.1/10.98.0.2 with ESP both ways (SPIs 0x00001001, 0x00002002; 4 packets each way) and 1 IKE datagram on UDP 500; hosts 10.98.0.1/10.98.0.3 with 3 ESP-in-UDP packets (SPI 0x00003003) and 1 IKE datagram on UDP 4500 behind the non-ESP marker. tshark: $(tshark -n -r "$out/esp-ike.pcap" -Y esp -T fields -e esp.spi 2>/dev/null | sort | uniq -c | tr -s ' \n' ' '); isakmp frames $(tshark -n -r "$out/esp-ike.pcap" -Y isakmp 2>/dev/null | wc -l)."
facts esp-ike "(.ipsec | length) == 2" '(.ipsec[] | select(.hosts == ["10.98.0.1","10.98.0.2"]) | [.esp_packets, .ike_packets, (.spis | sort)]) == [8, 1, ["0x00001001","0x00002002"]]' '(.ipsec[] | select(.hosts == ["10.98.0.1","10.98.0.3"]) | [.esp_packets, .ike_packets, .spis]) == [3, 1, ["0x00003003"]]'

# Reassembly facts for the TCP transfers, from the sender's own bytes.
"$here/tools/stream_facts.sh" "$out"

chown root:root "$out"/* 2>/dev/null || true
chmod 644 "$out"/*
ls -l "$out"
