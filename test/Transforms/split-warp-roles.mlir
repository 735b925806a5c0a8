// RUN: sparse-opt %s -split-input-file -verify-diagnostics --pass-pipeline="builtin.module(gpu.module(gpu.func(sattn-split-warp-roles)))" | FileCheck %s

// A warp-specialised kernel in block form, as sattn-lower-tiles-mma
// {producer=1} and convert-scf-to-cf leave it: both copies run the same
// key loop. The consumers' copy keeps its wait, its accumulation and its
// store but loses the fill (marked sattn.producer_op); the producer's copy
// keeps the fill and the loop's trip count, and loses the wait, the store
// and, with them, the f32 accumulator it carried (a block argument). The
// marks are gone afterwards.
// CHECK-LABEL: gpu.func @split(
// CHECK-SAME:      %[[OUT:[^:]+]]: memref<?xf32>, %[[N:[^:]+]]: index, %[[BAR:[^:]+]]: !llvm.ptr<3>)
// CHECK-NOT:     sattn.
// CHECK:         cf.cond_br %{{.*}}, ^[[CONSUMER:bb[0-9]+]], ^[[PRODUCER:bb[0-9]+]]
// CHECK:       ^[[CONSUMER]]:
// CHECK-NEXT:    nvvm.setmaxregister increase 232
// CHECK:       ^{{bb[0-9]+}}(%{{[^:]+}}: index, %[[ACC:[^:]+]]: f32):
// CHECK-NOT:     nvvm.mbarrier.arrive.expect_tx
// CHECK:         nvvm.mbarrier.try_wait.parity %[[BAR]]
// CHECK-NOT:     nvvm.mbarrier.arrive.expect_tx
// CHECK:         arith.addf %[[ACC]]
// CHECK:         memref.store %[[ACC]], %[[OUT]]
// CHECK:       ^[[PRODUCER]]:
// CHECK-NEXT:    nvvm.setmaxregister decrease 24
// CHECK:       ^{{bb[0-9]+}}(%{{[^:,]+}}: index):
// CHECK-NOT:     nvvm.mbarrier.try_wait.parity
// CHECK-NOT:     arith.addf
// CHECK:         nvvm.mbarrier.arrive.expect_tx %[[BAR]]
// CHECK-NOT:     nvvm.mbarrier.try_wait.parity
// CHECK-NOT:     memref.store
// CHECK:         gpu.return
gpu.module @kernels {
  gpu.func @split(%out: memref<?xf32>, %n: index, %bar: !llvm.ptr<3>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %bytes = arith.constant 2048 : i32
    %parity = arith.constant 0 : i32
    %hint = arith.constant 10000000 : i32
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %tid = gpu.thread_id x
    %isConsumer = arith.cmpi slt, %tid, %c128 : index
    cf.cond_br %isConsumer, ^consumer, ^producer
  ^consumer:
    nvvm.setmaxregister increase 232
    cf.br ^cloop(%c0, %zero : index, f32)
  ^cloop(%i: index, %acc: f32):
    %more = arith.cmpi slt, %i, %n : index
    cf.cond_br %more, ^cbody, ^cdone
  ^cbody:
    nvvm.mbarrier.arrive.expect_tx %bar, %bytes {sattn.producer_op} : !llvm.ptr<3>, i32
    nvvm.mbarrier.try_wait.parity %bar, %parity, %hint : !llvm.ptr<3>, i32, i32
    %acc2 = arith.addf %acc, %one : f32
    %inext = arith.addi %i, %c1 : index
    cf.br ^cloop(%inext, %acc2 : index, f32)
  ^cdone:
    memref.store %acc, %out[%c0] : memref<?xf32>
    cf.br ^exit
  ^producer:
    nvvm.setmaxregister decrease 24 {sattn.producer_entry, sattn.producer_op}
    cf.br ^ploop(%c0, %zero : index, f32)
  ^ploop(%j: index, %pacc: f32):
    %pmore = arith.cmpi slt, %j, %n : index
    cf.cond_br %pmore, ^pbody, ^pdone
  ^pbody:
    nvvm.mbarrier.arrive.expect_tx %bar, %bytes {sattn.producer_op} : !llvm.ptr<3>, i32
    nvvm.mbarrier.try_wait.parity %bar, %parity, %hint : !llvm.ptr<3>, i32, i32
    %pacc2 = arith.addf %pacc, %one : f32
    %jnext = arith.addi %j, %c1 : index
    cf.br ^ploop(%jnext, %pacc2 : index, f32)
  ^pdone:
    memref.store %pacc, %out[%c0] : memref<?xf32>
    cf.br ^exit
  ^exit:
    gpu.return
  }
}

// -----

// Kernels without a producer copy are left alone.
// CHECK-LABEL: gpu.func @unspecialised(
// CHECK:         scf.if
// CHECK:           memref.store
gpu.module @kernels {
  gpu.func @unspecialised(%out: memref<?xf32>, %c: i1) kernel {
    %c0 = arith.constant 0 : index
    %one = arith.constant 1.0 : f32
    scf.if %c {
      memref.store %one, %out[%c0] : memref<?xf32>
    }
    gpu.return
  }
}

// -----

gpu.module @kernels {
  // expected-error @+1 {{has a producer copy but still nested regions: sattn-split-warp-roles runs after convert-scf-to-cf}}
  gpu.func @structured(%c: i1) kernel {
    scf.if %c {
      nvvm.setmaxregister decrease 24 {sattn.producer_entry, sattn.producer_op}
    }
    gpu.return
  }
}

// -----

// The producer's loop bound comes from an op with effects that is not one
// of its fills: its control flow would depend on work it does not do.
gpu.module @kernels {
  gpu.func @leak(%c: i1) kernel {
    %c0 = arith.constant 0 : i32
    cf.cond_br %c, ^consumer, ^producer
  ^consumer:
    cf.br ^exit
  ^producer:
    nvvm.setmaxregister decrease 24 {sattn.producer_entry, sattn.producer_op}
    %v = llvm.inline_asm has_side_effects "mov.u32 $0, 1;", "=r" : () -> i32
    // expected-error @+1 {{'arith.cmpi' op of a warp role's copy reads a value computed only by the other role}}
    %go = arith.cmpi ne, %v, %c0 : i32
    cf.cond_br %go, ^fill, ^exit
  ^fill:
    nvvm.setmaxregister decrease 24 {sattn.producer_op}
    cf.br ^exit
  ^exit:
    gpu.return
  }
}
