// sattn-program-to-gpu: the warp roles as one branch on the thread index,
// named barriers as bar.sync / bar.arrive on their ids.
// RUN: sparse-opt %s --sattn-program-to-gpu | FileCheck %s

// Threads [0, 256) are the two consumer warpgroups: setmaxnreg.inc, their
// region. The producer warpgroup gives registers back and its first thread
// (256) runs the producer region. warp_scheduler[i] is bar id 1 + i.
// CHECK-LABEL: gpu.func @roles(
// CHECK-SAME:      known_block_size = array<i32: 384, 1, 1>{{.*}}nvvm.minctasm = 1
// CHECK:         %[[TID:.*]] = gpu.thread_id  x
// CHECK-NEXT:    %[[CONSUMER:.*]] = arith.cmpi slt, %[[TID]], %c256
// CHECK-NEXT:    scf.if %[[CONSUMER]] {
// CHECK-NEXT:      nvvm.setmaxregister  increase 240
// CHECK:           %[[ID:.*]] = arith.addi %c1{{.*}}, %{{.*}} : index
// CHECK-NEXT:      %[[ID32:.*]] = arith.index_cast %[[ID]] : index to i32
// CHECK-NEXT:      nvvm.barrier id = %[[ID32]] number_of_threads = %c256_i32
// CHECK:           nvvm.barrier.arrive id = %{{.*}} number_of_threads = %c256_i32
// CHECK:         } else {
// CHECK-NEXT:      nvvm.setmaxregister  decrease 24
// CHECK:           %[[PTID:.*]] = gpu.thread_id  x
// CHECK-NEXT:      %[[ELECTED:.*]] = arith.cmpi eq, %[[PTID]], %c256
// CHECK-NEXT:      scf.if %[[ELECTED]] {
// CHECK:             memref.store %{{.*}}, %{{.*}}[%c7]
// CHECK-NOT:     sattn.
func.func @roles(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 128, arg_names = ["a", "n"]>, sattn.launch = #sattn.launch<threads = 384, min_ctas_per_sm = 1>} {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    sattn.warp_specialize consumers(2, registers = 240) producer(registers = 24) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      sattn.named_barrier.sync warp_scheduler[%c0] threads = 256
      sattn.named_barrier.arrive warp_scheduler[%c1] threads = 256
    } producer {
      %c7 = arith.constant 7 : index
      %f = arith.constant 1.0 : f32
      memref.store %f, %a[%c7] : memref<?xf32>
    }
  }
  return
}
