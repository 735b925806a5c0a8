//===- MaskAllowsTest.cpp - Truth tables of every mask kind ---------------===//
//
// Tables are written out by hand from PatternSpec.h: row i is query i, column
// j is key j, 'x' = allowed. i' = i + Sk - Sq (bottom-right alignment).
//
//===----------------------------------------------------------------------===//

#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace sattn;
using sattn::ref::maskAllows;

namespace {

std::vector<std::string> table(const MaskExpr &m, int64_t Sq, int64_t Sk) {
  std::vector<std::string> rows;
  for (int64_t i = 0; i < Sq; ++i) {
    std::string row;
    for (int64_t j = 0; j < Sk; ++j)
      row += maskAllows(m, i, j, Sq, Sk) ? 'x' : '.';
    rows.push_back(row);
  }
  return rows;
}

using Rows = std::vector<std::string>;

} // namespace

TEST(MaskAllows, CausalSquare) {
  EXPECT_EQ(table(MaskExpr::causal(), 4, 4), (Rows{"x...", "xx..", "xxx.", "xxxx"}));
}

TEST(MaskAllows, CausalFewerQueriesThanKeysIsBottomRightAligned) {
  // Two new queries after three cached keys: they sit at positions 3 and 4.
  EXPECT_EQ(table(MaskExpr::causal(), 2, 5), (Rows{"xxxx.", "xxxxx"}));
}

TEST(MaskAllows, CausalMoreQueriesThanKeysLeavesEarlyRowsEmpty) {
  EXPECT_EQ(table(MaskExpr::causal(), 4, 2), (Rows{"..", "..", "x.", "xx"}));
}

TEST(MaskAllows, WindowZeroIsTheDiagonal) {
  EXPECT_EQ(table(MaskExpr::window(0, 0), 4, 4), (Rows{"x...", ".x..", "..x.", "...x"}));
}

TEST(MaskAllows, CausalWindow) {
  // A causal window of 2 keys is {1, 0}.
  EXPECT_EQ(table(MaskExpr::window(1, 0), 5, 5),
            (Rows{"x....", "xx...", ".xx..", "..xx.", "...xx"}));
}

TEST(MaskAllows, TwoSidedWindow) {
  EXPECT_EQ(table(MaskExpr::window(1, 2), 5, 5),
            (Rows{"xxx..", "xxxx.", ".xxxx", "..xxx", "...xx"}));
}

TEST(MaskAllows, WindowBottomRightAligned) {
  EXPECT_EQ(table(MaskExpr::window(1, 0), 2, 5), (Rows{"..xx.", "...xx"}));
}

TEST(MaskAllows, WindowLongerThanSequenceAllowsEverything) {
  EXPECT_EQ(table(MaskExpr::window(100, 100), 3, 3), (Rows{"xxx", "xxx", "xxx"}));
  EXPECT_EQ(table(MaskExpr::window(100, 0), 3, 3), (Rows{"x..", "xx.", "xxx"}));
}

TEST(MaskAllows, Sink) {
  EXPECT_EQ(table(MaskExpr::sink(2), 3, 4), (Rows{"xx..", "xx..", "xx.."}));
}

TEST(MaskAllows, SinkLongerThanSequenceAllowsEverything) {
  EXPECT_EQ(table(MaskExpr::sink(10), 2, 3), (Rows{"xxx", "xxx"}));
}

TEST(MaskAllows, DilatedWindowKeepsEveryDthKeyFromTheDiagonal) {
  // window{4, 0, dilation 2}: j in {i', i' - 2, i' - 4}.
  EXPECT_EQ(table(MaskExpr::window(4, 0, 2), 6, 6),
            (Rows{"x.....", ".x....", "x.x...", ".x.x..", "x.x.x.", ".x.x.x"}));
  // Two-sided, dilation 3, bottom-right aligned (i' = i + 2).
  EXPECT_EQ(table(MaskExpr::window(3, 3, 3), 2, 4), (Rows{"..x.", "x..x"}));
}

TEST(MaskAllows, ChunksAreBidirectionalWithinABlock) {
  EXPECT_EQ(table(MaskExpr::chunk(2), 5, 5),
            (Rows{"xx...", "xx...", "..xx.", "..xx.", "....x"}));
}

TEST(MaskAllows, ChunkedLocalIsCausalWithinItsChunk) {
  MaskExpr m = MaskExpr::intersect({MaskExpr::causal(), MaskExpr::chunk(3)});
  EXPECT_EQ(table(m, 7, 7), (Rows{"x......", "xx.....", "xxx....", "...x...",
                                  "...xx..", "...xxx.", "......x"}));
}

TEST(MaskAllows, ChunkOfQueriesBeforeTheFirstKeyIsEmpty) {
  // Sq = 4 > Sk = 2: rows 0 and 1 sit at i' = -2 and -1, chunk -1 of size
  // 2, which holds no key; rows 2 and 3 (i' = 0, 1) see chunk 0.
  EXPECT_EQ(table(MaskExpr::chunk(2), 4, 2), (Rows{"..", "..", "xx", "xx"}));
}

TEST(MaskAllows, PrefixLMIsBidirectionalOverThePrefix) {
  EXPECT_EQ(table(MaskExpr::prefixLM(3), 5, 5),
            (Rows{"xxx..", "xxx..", "xxx..", "xxxx.", "xxxxx"}));
  // A prefix longer than the sequence: dense.
  EXPECT_EQ(table(MaskExpr::prefixLM(9), 2, 3), (Rows{"xxx", "xxx"}));
}

TEST(MaskAllows, SlidingWindowWithSink) {
  // intersect(causal, union(window{1,0}, sink{1})), the swa_sink shape.
  MaskExpr m = MaskExpr::intersect(
      {MaskExpr::causal(), MaskExpr::unite({MaskExpr::window(1, 0), MaskExpr::sink(1)})});
  EXPECT_EQ(table(m, 6, 6),
            (Rows{"x.....", "xx....", "xxx...", "x.xx..", "x..xx.", "x...xx"}));
}

TEST(MaskAllows, SinkIsNotCausalByItself) {
  // Without the causal operand the sink keys are visible from every row,
  // and a two-sided window sees ahead.
  MaskExpr m = MaskExpr::unite({MaskExpr::window(0, 1), MaskExpr::sink(1)});
  EXPECT_EQ(table(m, 4, 4), (Rows{"xx..", "xxx.", "x.xx", "x..x"}));
}

TEST(MaskAllows, SingleOperandUnionAndIntersectEqualTheOperand) {
  MaskExpr w = MaskExpr::window(2, 1);
  EXPECT_EQ(table(MaskExpr::unite({w}), 5, 7), table(w, 5, 7));
  EXPECT_EQ(table(MaskExpr::intersect({w}), 5, 7), table(w, 5, 7));
}

TEST(MaskAllows, EmptyIntersection) {
  MaskExpr m = MaskExpr::intersect({MaskExpr::sink(1), MaskExpr::window(0, 0)});
  // Only query 0 (position 0) sees key 0.
  EXPECT_EQ(table(m, 3, 3), (Rows{"x..", "...", "..."}));
}
