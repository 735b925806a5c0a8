//===- SattnAttrs.td - sattn attributes ---------------------*- tablegen -*-===//
#ifndef SATTN_ATTRS_TD
#define SATTN_ATTRS_TD

include "sattn/IR/SattnBase.td"
include "mlir/IR/EnumAttr.td"

class Sattn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sattn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Sattn_ActivationKind : I32EnumAttr<"ActivationKind",
    "How scores become weights", [
      I32EnumAttrCase<"softmax", 0>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}
def Sattn_ActivationAttr : EnumAttr<Sattn_Dialect, Sattn_ActivationKind,
                                    "activation">;

def Sattn_RegionAttr : Sattn_Attr<"Region", "region"> {
  let summary = "A convex set of (query, key) pairs: a diagonal band and a column range";
  let description = [{
    With i' = i + Sk - Sq (the query's position in key coordinates), the
    region holds the pairs with
      diag_lo <= j - i' <= diag_hi   and   col_lo <= j < col_hi.
    An absent bound is unbounded (col_lo: 0, col_hi: Sk). Every mask of
    dialect v1 normalises to a union of such regions, which is what makes
    tile classification closed-form.
  }];
  let parameters = (ins
      OptionalParameter<"std::optional<int64_t>">:$diag_lo,
      OptionalParameter<"std::optional<int64_t>">:$diag_hi,
      OptionalParameter<"std::optional<int64_t>">:$col_lo,
      OptionalParameter<"std::optional<int64_t>">:$col_hi);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Sattn_TilePlanAttr : Sattn_Attr<"TilePlan", "tile_plan"> {
  let summary = "The tile classification of a pattern";
  let description = [{
    Attached by `sattn-classify-tiles`. `regions` is the mask in disjunctive
    normal form. For a query tile whose rows have key-coordinate positions
    in [r0, r1] and a key tile [j0, j0 + block_n):
      * the tile is empty for region R iff it misses R's key interval
        [max(col_lo, r0 + diag_lo), min(col_hi, r1 + diag_hi + 1));
      * it is full for R iff j0 >= col_lo, j0 + block_n <= min(col_hi, Sk),
        j0 - r1 >= diag_lo and j0 + block_n - 1 - r0 <= diag_hi;
      * empty overall iff empty for every region, full iff full for one,
        partial otherwise (the element mask is evaluated only there).
    `dense` is set when the pattern has no mask (every tile in bounds is
    full).
  }];
  let parameters = (ins "int64_t":$block_m, "int64_t":$block_n,
                        "::mlir::ArrayAttr":$regions);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_DeltaAttr : Sattn_Attr<"Delta", "delta"> {
  let summary = "The delta correction stage (Delta Attention)";
  let description = [{
    cut = Sq mod gamma + max(tail_min, gamma), sp = Sq - cut. Rows i < sp get
    O_sp(i) + (O_dense(a) - O_sp(a)) with a = gamma * floor(i / gamma);
    rows i >= sp get dense causal attention. The delta is kept in f32.
  }];
  let parameters = (ins "int64_t":$gamma, "int64_t":$tail_min);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // SATTN_ATTRS_TD
