# Sourced by the scripts that load librte_net_iop.so into DPDK apps with -d.
# DPDK's EAL loads a -d plugin only if no folder on its path is writable by
# everyone (eal_common_options.c, verify_perms), so a build tree under /tmp
# (a CI clone, say) cannot be loaded from where it was built.
#
#   net_iop_copy SO    copies SO into a private folder under /run and sets
#                      net_iop_so to the copy; net_iop_copy_remove removes it
net_iop_copy_dir=
net_iop_copy() {
	net_iop_copy_dir=$(mktemp -d /run/iop-net-iop.XXXXXX) || return 1
	cp "$1" "$net_iop_copy_dir/" || return 1
	net_iop_so=$net_iop_copy_dir/$(basename "$1")
}
net_iop_copy_remove() {
	[ -n "$net_iop_copy_dir" ] && rm -rf "$net_iop_copy_dir"
	net_iop_copy_dir=
}
