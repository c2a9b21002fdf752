#!/bin/bash
# Volumes and networks through berth-gate, as users who are not in the
# docker group: Debian's docker CLI, the wrapper and raw HTTP through the
# gate's socket.  What a user creates is labelled theirs; another user's
# volume or network cannot be inspected, removed, taken over or joined; what
# the rules refuse (driver options, device= binds, other drivers, berth.*
# labels, case-variant and duplicate keys) is refused with the wrapper's own
# sentence, and nothing changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 65

GATE_SOCK="$SB/docker.sock"
DSOCK="$DOCKERD_SOCK"
SOCK_MODE=$(stat -c %a "$DSOCK") SOCK_GROUP=$(stat -c %g "$DSOCK")
cleanup() {
	remove_managed_containers
	sbdocker volume ls -q | grep '^g91-' | xargs -r "$REAL_DOCKER" -H "unix://$DSOCK" volume rm -f >/dev/null 2>&1
	sbdocker network ls --format '{{.Name}}' | grep '^g91-' | xargs -r "$REAL_DOCKER" -H "unix://$DSOCK" network rm >/dev/null 2>&1
	stop_gate
	stop_daemon
	chgrp "$SOCK_GROUP" "$DSOCK"; chmod "$SOCK_MODE" "$DSOCK"
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr started"
chgrp root "$DSOCK"; chmod 660 "$DSOCK"
GATE_SOCK="$GATE_SOCK" write_config
start_gate
ok $? "berth-gate started on $GATE_SOCK, dockerd's socket root-only"

post() { gc "$1" -X POST -H 'Content-Type: application/json' --data-binary "$3" "http://d/v1.41$2"; }
message_of() { sed '$d' <<<"$1" | jq -r .message; }
label_of() { sbdocker "$1" inspect -f "{{index .Labels \"berth.user\"}}" "$2" 2>/dev/null; }
volumes() { sbdocker volume ls -q | sort | tr '\n' ' '; }
networks() { sbdocker network inspect -f '{{.Name}}={{index .Labels "berth.user"}}' $(sbdocker network ls -q) | sort | tr '\n' ' '; }

# --- volumes ------------------------------------------------------------------
out=$(gd berthtali volume create g91-ali 2>&1)
is "$out/$(label_of volume g91-ali)" "g91-ali/berthtali" "alice: docker volume create through the gate; labelled hers"
out=$(gw berthtali volume create g91-aliw 2>&1)
is "$out/$(label_of volume g91-aliw)" "g91-aliw/berthtali" "… and through the wrapper (its own berth.user label taken)"
r=$(post berthtali /volumes/create '{"Name":"g91-alc","Labels":{"team":"ml","berth.project":"p"}}')
is "$(status_of "$r")/$(label_of volume g91-alc)" "201/berthtali" "raw create with her own labels: 201, labelled hers"
is "$(sbdocker volume inspect -f '{{index .Labels "team"}}/{{index .Labels "berth.project"}}' g91-alc)" "ml/p" \
	"… her labels kept"
is "$(gd berthtali volume ls -q | grep '^g91-' | sort | tr '\n' ' ')" "g91-alc g91-ali g91-aliw " "docker volume ls lists her volumes"
is "$(gd berthtbob volume ls -q | grep -c '^g91-')" 0 "… and none of them to bob"
sbdocker volume create g91-shared >/dev/null

v0=$(volumes)
out=$(gd berthtbob volume inspect g91-ali 2>&1 >/dev/null); rc=$?
like "$rc/$out" "^1/Error response from daemon: berth: the volume g91-ali belongs to berthtali; you may only 'inspect' your own volumes" \
	"bob cannot inspect alice's volume"
out=$(gd berthtbob volume rm g91-ali 2>&1); rc=$?
like "$rc/$out" "^1/Error response from daemon: berth: the volume g91-ali belongs to berthtali; you may only 'rm' your own" \
	"bob cannot remove it"
wout=$(gw berthtbob volume rm g91-ali 2>&1)
is "Error response from daemon: $wout" "$out" "… in the wrapper's words exactly"
r=$(gc berthtbob -X DELETE 'http://d/v1.41/volumes/g91-ali?force=1')
is "$(status_of "$r")" 403 "raw DELETE with force: 403"
out=$(gd berthtbob volume create g91-ali 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the volume g91-ali exists and belongs to berthtali\. Pick another name\.$" \
	"bob cannot create a volume by alice's name"
out=$(gd berthtbob volume create -o type=none -o o=bind -o device=/etc g91-etc 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: volume driver options \(-o .*\) are for admins only\." "docker volume create -o device=/etc is refused"
r=$(post berthtbob /volumes/create '{"Name":"g91-etc","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}')
is "$(status_of "$r")" 403 "raw create with a device=/etc option: 403"
r=$(post berthtbob /volumes/create '{"Name":"g91-nfs","Driver":"nfs"}')
like "$(status_of "$r")/$(message_of "$r")" "^403/berth: the volume driver nfs is not allowed" "another volume driver: 403"
r=$(post berthtbob /volumes/create '{"Name":"g91-cl","ClusterVolumeSpec":{}}')
is "$(status_of "$r")" 403 "a cluster volume: 403"
r=$(post berthtbob /volumes/create '{"Name":"g91-forge","Labels":{"berth.user":"berthtali"}}')
like "$(status_of "$r")/$(message_of "$r")" "^403/berth: the label berth.user=berthtali is berth's to set" \
	"a berth.user label naming alice: 403"
r=$(post berthtbob /volumes/create '{"Name":"g91-forge","Labels":{"Berth.Managed":"true"}}')
is "$(status_of "$r")" 403 "a case-variant berth.* label: 403"
r=$(post berthtbob /volumes/create '{"name":"g91-case"}')
like "$(status_of "$r")/$(message_of "$r")" "^400/berth: the key \"name\" at the top level must be written \"Name\"" \
	"a case-variant key: 400"
r=$(post berthtbob /volumes/create '{"Name":"g91-dup","Name":"g91-ali"}')
is "$(status_of "$r")" 400 "a duplicate key: 400"
r=$(post berthtbob /volumes/create '{"Name":"g91-unk","Mountpoint":"/etc"}')
is "$(status_of "$r")" 400 "an unknown key: 400"
is "$(volumes)" "$v0" "… and none of these made or removed a volume"
is "$(label_of volume g91-ali)" berthtali "alice's volume is still hers"

out=$(gd berthtbob volume inspect -f '{{.Name}}' g91-shared 2>&1)
is "$out" "g91-shared" "bob may inspect a shared volume"
out=$(gd berthtbob volume rm g91-shared 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the volume g91-shared is shared; you may mount and inspect it, but only an admin may remove it" \
	"… but not remove it"
out=$(gd berthtbob volume create g91-shared 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the volume g91-shared exists and is shared" "… nor create it again as his"
out=$(gd berthtali volume inspect -f '{{.Name}}' g91-ali 2>&1)
is "$out" "g91-ali" "alice inspects her own volume"
out=$(gd berthtali volume rm g91-ali g91-aliw 2>&1)
is "$out/$(sbdocker volume ls -q | grep -c '^g91-ali')" "$(printf 'g91-ali\ng91-aliw')/0" "… and removes her own volumes"

# --- networks -----------------------------------------------------------------
gd berthtali network create g91-net >/dev/null 2>&1
is "$(label_of network g91-net)/$(sbdocker network inspect -f '{{.Driver}}' g91-net)" "berthtali/bridge" \
	"alice: docker network create through the gate; a bridge labelled hers"
gw berthtali network create g91-netw >/dev/null 2>&1
is "$(label_of network g91-netw)" "berthtali" "… and through the wrapper"
r=$(post berthtali /networks/create '{"Name":"g91-netc","CheckDuplicate":true,"Driver":"bridge","Internal":true,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.191.0.0/24"}]},"Labels":{"team":"ml"}}')
is "$(status_of "$r")/$(label_of network g91-netc)" "201/berthtali" "raw create of an internal bridge with a subnet: 201, hers"
is "$(gd berthtali network ls --format '{{.Name}}' | grep '^g91-' | sort | tr '\n' ' ')" "g91-net g91-netc g91-netw " \
	"docker network ls lists her networks"
is "$(gd berthtbob network ls --format '{{.Name}}' | grep -c '^g91-')" 0 "… and none of them to bob"

n0=$(networks)
like "$n0" "g91-net=berthtali " "(the networks before: $n0)"
out=$(gd berthtbob network inspect g91-net 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the network g91-net belongs to berthtali; you may only 'inspect' your own networks" \
	"bob cannot inspect alice's network"
nid=$(sbdocker network inspect -f '{{.Id}}' g91-net)
r=$(gc berthtbob "http://d/v1.41/networks/${nid:0:12}")
is "$(status_of "$r")" 403 "… nor by an id prefix"
out=$(gd berthtbob network rm g91-net 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the network g91-net belongs to berthtali; you may only 'rm' your own" "bob cannot remove it"
wout=$(gw berthtbob network rm g91-net 2>&1)
is "Error response from daemon: $wout" "$out" "… in the wrapper's words exactly"
out=$(gd berthtbob network create g91-net 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the network g91-net exists and belongs to berthtali" "bob cannot create a network by alice's name"
out=$(gd berthtbob network create -d macvlan g91-mac 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the network driver macvlan is not allowed; networks are bridges" "docker network create -d macvlan is refused"
out=$(gd berthtbob network create -o com.docker.network.bridge.name=docker0 g91-opt 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: network driver options \(-o com.docker.network.bridge.name=docker0\) are for admins only" \
	"… driver options"
out=$(gd berthtbob network create --ipam-driver null g91-ipam 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: the IPAM driver null is not allowed" "… another IPAM driver"
out=$(gd berthtbob network create --config-only g91-cfg 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: network create --config-only is for admins only" "… a config-only network"
r=$(post berthtbob /networks/create '{"Name":"g91-host","Driver":"host"}')
is "$(status_of "$r")" 403 "raw create of a host network: 403"
r=$(post berthtbob /networks/create '{"Name":"g91-ipvlan","Driver":"ipvlan","Options":{"parent":"lo"}}')
is "$(status_of "$r")" 403 "… of an ipvlan network: 403"
r=$(post berthtbob /networks/create '{"Name":"g91-ing","Ingress":true}')
is "$(status_of "$r")" 403 "… of an ingress network: 403"
r=$(post berthtbob /networks/create '{"Name":"g91-from","ConfigFrom":{"Network":"g91-net"}}')
is "$(status_of "$r")" 403 "… from another network's config: 403"
r=$(post berthtbob /networks/create '{"Name":"g91-lab","Labels":{"berth.user":"berthtali"}}')
is "$(status_of "$r")" 403 "… with a berth.user label naming alice: 403"
r=$(post berthtbob /networks/create '{"Name":"g91-case","driver":"macvlan"}')
like "$(status_of "$r")/$(message_of "$r")" "^400/berth: the key \"driver\" at the top level must be written \"Driver\"" \
	"… with a case-variant key: 400"
r=$(post berthtbob /networks/create '{"Name":"g91-dup","Driver":"bridge","Driver":"macvlan"}')
is "$(status_of "$r")" 400 "… with a duplicate key: 400"
r=$(post berthtbob /networks/create '{"Name":"g91-ipam","IPAM":{"driver":"dhcp"}}')
is "$(status_of "$r")" 400 "… with a case-variant key inside IPAM: 400"
# the sandbox's dockerd runs with --bridge=none: host and none are Docker's own
out=$(gd berthtbob network rm host 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: host is one of Docker's own networks; only an admin may remove it" "bob cannot remove Docker's host network"
is "$(networks)" "$n0" "… and none of these made or removed a network"
out=$(gd berthtbob network inspect -f '{{.Name}}' host 2>&1)
is "$out" "host" "bob may inspect Docker's own host network"

# --- connect and disconnect ---------------------------------------------------
gd berthtali run -d --name g91c berth-test sleep 300 >/dev/null 2>&1
gd berthtbob run -d --name g91b berth-test sleep 300 >/dev/null 2>&1
on_net() { sbdocker inspect -f "{{if index .NetworkSettings.Networks \"$2\"}}yes{{else}}no{{end}}" "$1" 2>/dev/null; }
out=$(gd berthtali network connect g91-net g91c 2>&1)
is "$out/$(on_net g91c._.berthtali g91-net)" "/yes" "alice connects her container (by its short name) to her network"
out=$(gd berthtbob network connect g91-net g91b 2>&1); rc=$?
like "$rc/$out/$(on_net g91b._.berthtbob g91-net)" "^1/.*berth: the network g91-net belongs to berthtali; you may only 'network connect' .*/no$" \
	"bob cannot connect his container to alice's network"
out=$(gd berthtbob network connect g91-netw g91c._.berthtali 2>&1); rc=$?
like "$rc/$out" "^1/.*berth: g91c._.berthtali belongs to berthtali; you may only connect your own containers" \
	"bob cannot connect alice's container anywhere"
r=$(post berthtali /networks/g91-netw/connect '{"Container":"g91c","EndpointConfig":{"Aliases":["db"]}}')
is "$(status_of "$r")/$(on_net g91c._.berthtali g91-netw)" "200/yes" "raw connect by short name, with an alias: forwarded with the full id"
r=$(post berthtali /networks/g91-netc/connect '{"Container":"g91c","EndpointConfig":{"aliases":["db"]}}')
like "$(status_of "$r")/$(message_of "$r")/$(on_net g91c._.berthtali g91-netc)" \
	'^400/berth: the key "aliases" in EndpointConfig must be written "Aliases".*/no$' "… a case-variant key in EndpointConfig: 400, not connected"
r=$(post berthtali /networks/g91-netc/connect '{"Container":"g91c","Container":"g91b._.berthtbob"}')
is "$(status_of "$r")/$(on_net g91b._.berthtbob g91-netc)" "400/no" "… a duplicate Container key: 400, not connected"
out=$(gd berthtbob network disconnect g91-net g91c._.berthtali 2>&1); rc=$?
like "$rc/$out/$(on_net g91c._.berthtali g91-net)" "^1/.*berth: g91c._.berthtali belongs to berthtali; you may only disconnect your own containers.*/yes$" \
	"bob cannot disconnect alice's container"
r=$(post berthtbob /networks/g91-net/disconnect '{"Container":"g91c._.berthtali","Force":true}')
is "$(status_of "$r")/$(on_net g91c._.berthtali g91-net)" "403/yes" "… not even with Force"
out=$(gd berthtali network disconnect g91-net g91c 2>&1)
is "$out/$(on_net g91c._.berthtali g91-net)" "/no" "alice disconnects her container"
out=$(gd berthtali network rm g91-net g91-netc 2>&1)
is "$out/$(sbdocker network ls --format '{{.Name}}' | grep -c '^g91-netc\?$')" "$(printf 'g91-net\ng91-netc')/0" \
	"alice removes her own networks"
