#!/bin/busybox sh
# /init of the vm tier's initramfs (test/vm/run-guest builds it).
# Mounts what the tests need, binds the requested NICs to vfio-pci, runs the
# command chrooted into the host's root file system (read-only over 9p),
# prints its exit status and powers off. /run.conf and /cmd come from a
# second, per-run cpio archive that run-guest appends to the cached one.
/bin/busybox --install -s /bin
export PATH=/bin
say() { echo "iop-guest: $*"; }
finish() { say "exit status $1"; sync; poweroff -f; }
fail() { say "$*"; finish 125; }

mkdir -p /proc /sys /dev /host
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /run.conf

mkdir -p /dev/hugepages /dev/shm
mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount hugetlbfs"
got=$(cat /proc/sys/vm/nr_hugepages)
[ "$got" -ge "$IOP_HUGEPAGES" ] || fail "only $got of $IOP_HUGEPAGES hugepages reserved: give the guest more memory (--mem)"

# driver_override makes the next probe pick vfio-pci whatever the device is
for bdf in $IOP_BIND; do
	d=/sys/bus/pci/devices/$bdf
	[ -e "$d" ] || fail "no PCI device $bdf in the guest (see lspci below)"
	echo vfio-pci > "$d/driver_override"
	[ -e "$d/driver" ] && echo "$bdf" > "$d/driver/unbind"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] || fail "could not bind $bdf to vfio-pci"
done

mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || fail "cannot mount the host root over 9p"
# the guest needs a writable /tmp and /run, but the build tree may live
# there on the host (a CI clone in /tmp): bind those folders back on top
i=0
for k in $IOP_KEEP; do
	mkdir -p /keep/$i && mount -o bind "/host$k" /keep/$i || fail "cannot keep the host's $k"
	i=$((i + 1))
done
mount -t tmpfs tmpfs /host/tmp
# /run as on a host (0755): DPDK refuses a -d plugin under a folder anyone may write
mount -t tmpfs -o mode=0755 tmpfs /host/run
i=0
for k in $IOP_KEEP; do
	mkdir -p "/host$k" && mount -o bind /keep/$i "/host$k" || fail "cannot keep the host's $k"
	i=$((i + 1))
done
mount -o bind /proc /host/proc
mount -o bind /sys /host/sys
mount -o bind /dev /host/dev
mount -t hugetlbfs nodev /host/dev/hugepages
mount -t tmpfs tmpfs /host/dev/shm
cp /cmd /host/tmp/iop-guest-cmd

say "running: $IOP_CMDLINE"
chroot /host /bin/bash /tmp/iop-guest-cmd
finish $?
