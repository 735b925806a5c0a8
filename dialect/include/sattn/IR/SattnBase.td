//===- SattnBase.td - The sattn dialect ---------------------*- tablegen -*-===//
#ifndef SATTN_BASE_TD
#define SATTN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Sattn_Dialect : Dialect {
  let name = "sattn";
  let cppNamespace = "::mlir::sattn";
  let summary = "Sparse attention patterns and their tiled flash form";
  let description = [{
    Two levels live in this dialect.

    The pattern level says *what* to compute: `sattn.attention` over Q, K, V
    and O buffers, with a mask built from `sattn.mask.*` ops (an SSA DAG of
    `!sattn.mask` values, so masks that read runtime data - document ids,
    block tables - become mask ops with operands), score modifiers, the
    activation and correction stages such as the delta correction.

    The tiled level says *how*: kernels whose body is a `sattn.program`
    (one instance per query tile and batch-head) built from `sattn.tile.*`
    ops on `!sattn.tile` values. Target lowerings (SIMT rows, mma.sync,
    wgmma) replace the tile ops without touching the analysis or the loop
    nest around them.

    The GPU level says *with what*: the policy's decisions per kernel
    (`#sattn.kernel_config`), shared-memory stages of K and V as a ring
    (`!sattn.ring`, `sattn.ring.*`: fills, waits, releases), products that
    read them (`sattn.tile.mma_qk`, `mma_pv`, `mma_wait`), warp roles
    (`sattn.warp_specialize`) and named barriers. The kernel contracts that
    passes and the runtime share (`#sattn.kernel`, `#sattn.launch`) are
    attributes verified by name.
  }];
  let useDefaultTypePrinterParser = 1;
  // `sattn.*` discardable attributes (the kernel contracts of
  // SattnAttrs.td) are checked by name.
  let hasOperationAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  // LLVM: the GPU ops' formats parse !llvm.ptr through its C++ class,
  // which needs the dialect loaded (an op at the top of a module, before
  // anything else loaded it, crashed the parser).
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

class Sattn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sattn_Dialect, mnemonic, traits>;

#endif // SATTN_BASE_TD
