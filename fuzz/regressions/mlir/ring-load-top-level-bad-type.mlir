sattn.ring.load %r[%i], %map[%i, %i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>, &
