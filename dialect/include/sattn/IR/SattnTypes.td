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
    instance. How a tile lives on the target is the lowering's choice (one
    row per thread in the SIMT lowering; mma fragments later). A tile of
    one column holds one value per row (row max, row sum).
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRows() const { return getShape()[0]; }
    int64_t getCols() const { return getShape()[1]; }
  }];
}

#endif // SATTN_TYPES_TD
