//===- BlockLayoutTest.cpp - A dense block map to the compressed form -----===//

#include "sattn/BlockLayout.h"

#include <gtest/gtest.h>

using namespace sattn;

TEST(BlockLayoutTest, CompressesADenseMapInAscendingOrder) {
  // LB = 1, LH = 2, Mb = 2, Nb = 3.
  const uint8_t map[] = {1, 0, 2, //
                         2, 2, 1, //
                         0, 0, 0, //
                         0, 1, 0};
  Result<CompressedBlockLayout> l = compressBlockMap(map, 1, 2, 2, 3);
  ASSERT_TRUE(l) << l.status().message();
  EXPECT_EQ(l->kvNumBlocks, (std::vector<int32_t>{1, 1, 0, 1}));
  EXPECT_EQ(l->kvIndices, (std::vector<int32_t>{0, -1, -1, 2, -1, -1, //
                                                -1, -1, -1, 1, -1, -1}));
  EXPECT_EQ(l->fullKvNumBlocks, (std::vector<int32_t>{1, 2, 0, 0}));
  EXPECT_EQ(l->fullKvIndices, (std::vector<int32_t>{2, -1, -1, 0, 1, -1, //
                                                    -1, -1, -1, -1, -1, -1}));
  std::vector<TensorArg> args = l->tensorArgs();
  ASSERT_EQ(args.size(), 4u);
  EXPECT_EQ(args[0].name, "kv_num_blocks");
  EXPECT_EQ(args[0].shape, (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(args[3].name, "full_kv_indices");
  EXPECT_EQ(args[3].shape, (std::vector<int64_t>{1, 2, 2, 3}));
  EXPECT_EQ(args[3].data, l->fullKvIndices.data());
  EXPECT_EQ(args[1].dtype, "i32");
}

TEST(BlockLayoutTest, RejectsOtherBytesAndBadSizes) {
  const uint8_t map[] = {0, 1, 2, 3};
  Result<CompressedBlockLayout> l = compressBlockMap(map, 1, 1, 2, 2);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.status().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(l.status().message(),
            "block map: byte [0, 0, 1, 1] is 3; want 0 (empty), 1 (partial) "
            "or 2 (full)");
  l = compressBlockMap(map, 1, 0, 2, 2);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.status().message(), "block map: sizes [LB, LH, Mb, Nb] = [1, 0, "
                                  "2, 2] must be positive");
  l = compressBlockMap(map, 1 << 20, 1 << 20, 2, 2);
  ASSERT_FALSE(l);
  EXPECT_NE(l.status().message().find("overflows"), std::string::npos);
  EXPECT_FALSE(compressBlockMap(nullptr, 1, 1, 1, 1));
}
