#!/usr/bin/env python3
"""Writes random conformance scenarios (.scn) for a differential run: the
same files on the kernel (in a guest) and on the sim, compared step by step
by scn-random-diff. The steps carry no expectations: only the two records
are compared. Devices are those of guest.layout's groups 2, 3 and 5, or
with "mock" the self-test's mock devices (a guest without the vIOMMU);
every name a step uses stays defined (a close is followed by an open
again, a mock by an unmock first).

  scn_random.py SEED COUNT DIR [mock]
"""
import random
import sys

IOVAS = [0x0, 0x100000, 0x1ff000, 0x200000, 0x201000, 0x300000, 0x400000,
         0x100800, 0xfedff000, 0xfee00000, 0xfeeff000, 0xfef00000,
         0x7ffffff000, 0x8000000000, 0xfffffffffffff000]
LENGTHS = [0x800, 0x1000, 0x1800, 0x100000, 0x200000, 0x300000, 0x400000]
DEVICES = {'n': '0000:00:02.0', 'p': '0000:00:03.0',
           'a': '0000:01:01.0', 'b': '0000:01:02.0'}
IOAS = ['A', 'B', 'C']
BUFS = ['m1', 'm2', 'm3']
ALLOWED = ['', '0x100000-0x2fffff', '0xfee00000-0xfeefffff',
           '0x0-0xfedfffff', '0x100000000-0x8000000000']
# the mock IOMMU: IOVA 16 MiB to 2 GiB - 1, 2 KiB pages
MOCK_IOVAS = [0x0, 0x100000, 0xfff000, 0x1000000, 0x1000800, 0x1001000,
              0x1100000, 0x7ff00000, 0x7ffff000, 0x80000000, 0xfffffffffffff000]
MOCK_ALLOWED = ['', '0x1000000-0x1ffffff', '0x0-0xffffff',
                '0x1000000-0x7fffffff', '0x80000000-0x8fffffff']


def step(rnd):
    r = rnd.random()
    if r < 0.25:
        return 'attach %s %s' % (rnd.choice(list(DEVICES)), rnd.choice(IOAS))
    if r < 0.35:
        return 'detach %s' % rnd.choice(list(DEVICES))
    if r < 0.55:
        extra = ''
        if rnd.random() < 0.4:
            extra = ' off=%#x len=%#x' % (rnd.choice([0, 0x800, 0x1000, 0x100000]),
                                          rnd.choice([0x800, 0x1000, 0x1800, 0x100000]))
        if rnd.random() < 0.3:
            extra += ' prot=' + rnd.choice(['r', 'w', 'rw'])
        return 'map %s %s %#x%s' % (rnd.choice(IOAS), rnd.choice(BUFS), rnd.choice(IOVAS), extra)
    if r < 0.72:
        prot = ' prot=' + rnd.choice(['r', 'w', 'rw']) if rnd.random() < 0.4 else ''
        dst = (rnd.choice(IOVAS) + rnd.choice([0, 0x1000000])) % (1 << 64)
        return 'copy %s %#x %s %#x %#x%s' % (rnd.choice(IOAS), dst, rnd.choice(IOAS),
                                             rnd.choice(IOVAS), rnd.choice(LENGTHS), prot)
    if r < 0.86:
        if rnd.random() < 0.15:
            return 'unmap %s 0 0xffffffffffffffff' % rnd.choice(IOAS)
        return 'unmap %s %#x %#x' % (rnd.choice(IOAS), rnd.choice(IOVAS),
                                     rnd.choice(LENGTHS + [0x2000000]))
    if r < 0.93:
        return 'ranges %s' % rnd.choice(IOAS)
    if r < 0.97:
        return ('allow %s %s' % (rnd.choice(IOAS), rnd.choice(ALLOWED))).rstrip()
    d = rnd.choice(list(DEVICES))
    return 'close %s\nopen %s %s' % (d, d, DEVICES[d])


def mock_step(rnd):
    r, ioas = rnd.random(), rnd.choice(IOAS[:2])
    if r < 0.2:
        m = rnd.choice(['M', 'N'])
        return 'unmock %s\nmock %s %s' % (m, m, ioas)
    if r < 0.28:
        return 'unmock %s' % rnd.choice(['M', 'N'])
    if r < 0.5:
        extra = ''
        if rnd.random() < 0.4:
            extra = ' off=%#x len=%#x' % (rnd.choice([0, 0x400, 0x800, 0x1000]),
                                          rnd.choice([0x400, 0x800, 0x1000, 0x100000]))
        return 'map %s %s %#x%s' % (ioas, rnd.choice(BUFS), rnd.choice(MOCK_IOVAS), extra)
    if r < 0.68:
        return 'copy %s %#x %s %#x %#x' % (ioas, rnd.choice(MOCK_IOVAS) + rnd.choice([0, 0x200000]),
                                           rnd.choice(IOAS[:2]), rnd.choice(MOCK_IOVAS),
                                           rnd.choice(LENGTHS))
    if r < 0.83:
        if rnd.random() < 0.15:
            return 'unmap %s 0 0xffffffffffffffff' % ioas
        return 'unmap %s %#x %#x' % (ioas, rnd.choice(MOCK_IOVAS), rnd.choice(LENGTHS))
    if r < 0.92:
        return 'ranges %s' % ioas
    return ('allow %s %s' % (ioas, rnd.choice(MOCK_ALLOWED))).rstrip()


def scenario(rnd, mock):
    memlock = rnd.choice(['', ' memlock=3M', ' memlock=5M', ' memlock=7M'])
    if mock:
        lines = ['bind' + memlock, 'ioas A', 'ioas B']
    else:
        lines = ['bind ' + ' '.join(DEVICES.values()) + memlock]
        lines += ['open %s %s' % d for d in DEVICES.items()]
        lines += ['ioas %s' % a for a in IOAS]
    lines += ['buf m1 2M', 'buf m2 2M', 'buf m3 4M']
    lines += [(mock_step if mock else step)(rnd) for _ in range(rnd.randint(40, 90))]
    return '\n'.join(lines) + '\n'


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([], ['mock']):
        sys.exit('usage: scn_random.py SEED COUNT DIR [mock]')
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    for k in range(count):
        with open('%s/random-%d-%03d.scn' % (out, seed, k), 'w') as f:
            f.write(scenario(rnd, len(sys.argv) == 5))


main()
