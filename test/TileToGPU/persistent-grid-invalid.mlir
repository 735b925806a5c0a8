// sattn-persistent-grid's error: the warp roles must end the program, or
// what follows them would run once per block instead of once per instance.
// RUN: sparse-opt %s -verify-diagnostics --sattn-persistent-grid

func.func @roles_not_last(%n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["n"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 40, consumer_registers = 232, min_ctas_per_sm = 1, persistent = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %r = sattn.ring.alloc : !sattn.ring<3 x 16x64xbf16, wgmma_128b, tma, releases = 1>
    // expected-error @below {{must end the program for sattn-persistent-grid to loop over it}}
    sattn.warp_specialize consumers(1, registers = 232) producer(registers = 40) {
      %a = arith.addi %x, %y : index
    } producer {
      %b = arith.addi %x, %y : index
    }
    %c = arith.addi %x, %y : index
  }
  return
}
