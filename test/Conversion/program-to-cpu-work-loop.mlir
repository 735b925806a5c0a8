// sattn-program-to-cpu runs every program instance as a loop iteration; a
// persistent grid's work loop is for GPUs only, and says so.
// RUN: sparse-opt %s -verify-diagnostics --sattn-program-to-cpu

func.func @persistent(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["a", "n"]>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    // expected-error @below {{is lowered for GPUs only (a persistent grid)}}
    sattn.work_loop order = head_fastest {
    ^bb0(%x1: index, %y1: index):
    }
  }
  return
}
