// Command-line words → positionals and options, and every mistake named.
#include "cli_arguments.h"

#include <gtest/gtest.h>

namespace sotto::gw {
namespace {

std::string usage_error(const std::vector<std::string> &words,
                        const std::vector<std::string> &positionals = {}) {
  try {
    Arguments(words, {"--limit", "--site"}, {"--force"}).positionals(positionals);
  } catch (const UsageError &error) {
    return error.what();
  }
  return "";
}

TEST(CliArguments, SplitsPositionalsValuesAndFlagsInAnyOrder) {
  Arguments arguments({"--limit", "7", "valve-3", "--force", "--site=farm-north"},
                      {"--limit", "--site"}, {"--force"});
  EXPECT_EQ(arguments.positionals({"DEVICE"}), std::vector<std::string>{"valve-3"});
  EXPECT_EQ(arguments.integer("--limit", 1, 10, 3), 7);
  EXPECT_EQ(arguments.value("--site"), "farm-north");
  EXPECT_TRUE(arguments.flag("--force"));
  EXPECT_FALSE(arguments.value("--missing").has_value());
}

TEST(CliArguments, RepeatedOptionKeepsEveryValueInOrder) {
  Arguments arguments({"m.smdl", "--input", "a.bin", "--input=b.bin", "--output", "o.bin"},
                      {"--input", "--output"});
  EXPECT_EQ(arguments.values("--input"), (std::vector<std::string>{"a.bin", "b.bin"}));
  EXPECT_EQ(arguments.value("--input"), "b.bin");
  EXPECT_EQ(arguments.values("--output"), std::vector<std::string>{"o.bin"});
  EXPECT_TRUE(arguments.values("--missing").empty());
}

TEST(CliArguments, ShortOptionsTakeValuesWhileNegativeNumbersAndDashStayPositional) {
  Arguments arguments({"model.tflite", "-o", "model.smdl", "-5", "-"}, {"-o"});
  EXPECT_EQ(arguments.value("-o"), "model.smdl");
  EXPECT_EQ(arguments.positionals({"MODEL", "OFFSET", "INPUT"}),
            (std::vector<std::string>{"model.tflite", "-5", "-"}));
  EXPECT_EQ(usage_error({"-x"}), "unknown option -x");
}

TEST(CliArguments, AbsentIntegerTakesTheFallback) {
  Arguments arguments({}, {"--limit"});
  EXPECT_EQ(arguments.integer("--limit", 1, 10, 3), 3);
}

TEST(CliArguments, NamesEachMistake) {
  EXPECT_EQ(usage_error({"--colour", "red"}), "unknown option --colour");
  EXPECT_EQ(usage_error({"--limit"}), "--limit needs a value");
  EXPECT_EQ(usage_error({"--force=yes"}), "--force takes no value");
  EXPECT_EQ(usage_error({}, {"DEVICE"}), "missing DEVICE");
  EXPECT_EQ(usage_error({"a", "b"}, {"DEVICE"}), "unexpected argument 'b'");
}

TEST(CliArguments, RejectsIntegersThatAreNotWholeOrOutOfRange) {
  for (const char *text : {"x", "3x", "", "11", "0", "99999999999999999999"}) {
    Arguments arguments({"--limit", text}, {"--limit"});
    try {
      arguments.integer("--limit", 1, 10, 3);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const UsageError &error) {
      EXPECT_EQ(std::string(error.what()),
                std::string("--limit must be a whole number in 1..10, got '") + text + "'");
    }
  }
}

}  // namespace
}  // namespace sotto::gw
