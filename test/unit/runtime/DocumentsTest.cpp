//===- DocumentsTest.cpp - Per-token document ids to varlen offsets -------===//

#include "sattn/Documents.h"

#include <gtest/gtest.h>

using namespace sattn;

TEST(DocumentsTest, IdsBecomeOffsets) {
  // Row 0: documents 0 (2 tokens), 1 (empty), 2 (3 tokens), 3 (1 token);
  // row 1: one document 1 of all 6 tokens (0, 2 and 3 empty).
  const int32_t ids[] = {0, 0, 2, 2, 2, 3, //
                         1, 1, 1, 1, 1, 1};
  Result<std::vector<int32_t>> cu = documentOffsetsFromIds(ids, 2, 6);
  ASSERT_TRUE(cu) << cu.status().message();
  EXPECT_EQ(*cu, (std::vector<int32_t>{0, 2, 2, 5, 6, //
                                       0, 0, 6, 6, 6}));
  // A larger Nd: trailing empty documents.
  cu = documentOffsetsFromIds(ids, 1, 6, 6);
  ASSERT_TRUE(cu) << cu.status().message();
  EXPECT_EQ(*cu, (std::vector<int32_t>{0, 2, 2, 5, 6, 6, 6}));
}

TEST(DocumentsTest, RejectsUnorderedOrOutOfRangeIds) {
  const int32_t down[] = {0, 1, 0};
  Result<std::vector<int32_t>> cu = documentOffsetsFromIds(down, 1, 3);
  ASSERT_FALSE(cu);
  EXPECT_EQ(cu.status().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(cu.status().message(),
            "document ids: batch row 0, token 2 (id 0): ids must not "
            "decrease (the one before is 1)");
  const int32_t big[] = {0, 1, 4};
  cu = documentOffsetsFromIds(big, 1, 3, 3);
  ASSERT_FALSE(cu);
  EXPECT_EQ(cu.status().message(),
            "document ids: batch row 0, token 2 (id 4): outside [0, 3)");
  const int32_t negative[] = {-1, 0};
  EXPECT_FALSE(documentOffsetsFromIds(negative, 1, 2, 2));
  EXPECT_FALSE(documentOffsetsFromIds(nullptr, 1, 2));
  EXPECT_FALSE(documentOffsetsFromIds(big, 0, 3));
}
