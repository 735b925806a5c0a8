//===- SattnTypes.td - sattn types --------------------------*- tablegen -*-===//
#ifndef SATTN_TYPES_TD
#define SATTN_TYPES_TD

include "sattn/IR/SattnBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

class Sattn_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Sattn_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Sattn_MaskType : Sattn_Type<"Mask", "mask"> {
  let summary = "A set of allowed (query, key) pairs";
  let description = [{
    The value of a `sattn.mask.*` op. It has no runtime representation: the
    tile classification reads the defining ops to decide, in closed form,
    which tiles are empty, full or partial, and the element mask is
    generated from the same description.
  }];
}

def Sattn_TileType : Sattn_Type<"Tile", "tile"> {
  let summary = "A rows x cols block of one query tile, e.g. !sattn.tile<64x128xf32>";
  let description = [{
    A value of the tiled form: rows are the query rows of one program
    instance. A tile of one column holds one value per row (row max, row
    sum). `layout` says how its elements are spread over the lanes:
    `none` until sattn-assign-tile-layouts gives a tensor-core kernel's
    tiles the fragment layout its mainloop lowering reads (`m16n8k16`);
    the SIMT lowering keeps `none` (lane r holds row r).
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType,
                        "::mlir::sattn::TileLayout":$layout);
  let skipDefaultBuilders = 1;
  let builders = [
    TypeBuilder<(ins "::llvm::ArrayRef<int64_t>":$shape,
                     "::mlir::Type":$elementType,
                     CArg<"::mlir::sattn::TileLayout",
                          "::mlir::sattn::TileLayout::none">:$layout), [{
      return $_get($_ctxt, shape, elementType, layout);
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRows() const { return getShape()[0]; }
    int64_t getCols() const { return getShape()[1]; }
    /// The same tile in `layout`.
    TileType withLayout(::mlir::sattn::TileLayout layout) const {
      return get(getContext(), getShape(), getElementType(), layout);
    }
  }];
}

def Sattn_RingType : Sattn_Type<"Ring", "ring"> {
  let summary = "Shared-memory stages of K / V tiles (and the Q tile), e.g. !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>";
  let description = [{
    `slots` buffers of `rows` x `cols` elements (a key tile of block_n keys
    by head_dim) in the program's dynamic shared memory, laid out by
    `swizzle`, filled by `fill` (cp_async: every lane copies chunks and
    waits on commit groups; tma: one thread issues bulk tensor copies that
    complete on each slot's "full" mbarrier). With `releases = N` (> 0) each
    slot also has an "empty" mbarrier that N consumer warpgroups arrive on
    when done with it, and a refill first acquires it; otherwise a slot is
    refilled by the one warpgroup that read it, in program order. Which
    slots hold keys and which values is the staging's choice. With
    `query_rows = M` (> 0, wgmma_128b only) the ring also holds the
    program's Q tile after its slots: M rows of `cols`, as M / 64 blocks of
    64 rows in the same layout (one per consumer warpgroup), which
    `sattn.ring.stage_q` fills and a `sattn.tile.mma_qk` without a `q`
    operand reads.
  }];
  let parameters = (ins "int64_t":$slots, "int64_t":$rows, "int64_t":$cols,
                        "::mlir::Type":$elementType,
                        "::mlir::sattn::SmemSwizzle":$swizzle,
                        "::mlir::sattn::StagingKind":$fill,
                        "int64_t":$releases, "int64_t":$queryRows);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t slotElements() const { return getRows() * getCols(); }
    int64_t elementBytes() const {
      return getElementType().getIntOrFloatBitWidth() / 8;
    }
    int64_t slotBytes() const { return slotElements() * elementBytes(); }
    int64_t queryElements() const { return getQueryRows() * getCols(); }
  }];
}

#endif // SATTN_TYPES_TD
