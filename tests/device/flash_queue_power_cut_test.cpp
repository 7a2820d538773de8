// The flash queue under power cuts at every write and erase (MCUboot's method): run a script of
// pushes, pops and reboots once to count its storage operations, then for every op k and
// several tears (nothing done, the first bit, bits at the end, part way, finished but not
// reported) replay it with power cut during op k, reboot, and read the queue back. It must hold
// exactly what the calls that returned OK left, with the interrupted call either done or not:
// no event whose push returned OK is lost (other than the oldest ones a full queue drops by
// its rules), and none whose pop returned OK comes back.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "flash_queue_fixture.h"

namespace sotto::test {
namespace {

constexpr uint32_t kSector = 256;
constexpr uint32_t kSectors = 4;

struct Step {
  enum Kind { kPush, kPop, kReboot } kind;
  uint8_t tag = 0;
  size_t len = 0;
  uint32_t boot_id = 0;
};

// Varied sizes, a wrap of the ring (so sectors are given up), a reboot into a new boot.
std::vector<Step> script() {
  std::vector<Step> steps;
  uint8_t tag = 0;
  auto push = [&](int count, uint32_t boot_id) {
    for (int i = 0; i < count; ++i, ++tag) {
      steps.push_back({Step::kPush, tag, 5 + (tag * 7u) % 37u, boot_id});
    }
  };
  auto pop = [&](int count) {
    for (int i = 0; i < count; ++i) {
      steps.push_back({Step::kPop});
    }
  };
  push(12, 1);
  pop(5);
  push(22, 1);
  pop(3);
  steps.push_back({Step::kReboot});
  push(6, 2);
  pop(4);
  push(4, 3);
  return steps;
}

using Events = std::deque<QueuedEvent>;

struct Outcome {
  bool cut = false;             // a call failed: power went during it
  size_t step = 0;              // which
  Events before;                // what the queue held before that call
  std::vector<uint32_t> drops;  // per step, events the call dropped (clean run)
};

class Runner {
 public:
  explicit Runner(uint32_t max_events) : flash_(kSector, kSectors), max_events_(max_events) {}

  sotto_err_t open() {
    sotto_storage_port_t port = flash_.port();
    return sotto_flash_queue_open(&queue_, &port, max_events_);
  }

  // Runs the script until a call fails; `model` follows every call that returned OK.
  Outcome run(const std::vector<Step> &steps, Events *model) {
    Outcome outcome;
    EXPECT_EQ(open(), SOTTO_OK);
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step &step = steps[i];
      Events before = *model;
      sotto_err_t err = SOTTO_OK;
      const uint32_t dropped_before = queue_.dropped;
      if (step.kind == Step::kPush) {
        std::vector<uint8_t> bytes = event_bytes(step.tag, step.len);
        err = sotto_flash_queue_push(&queue_, bytes.data(), bytes.size(), step.boot_id);
        if (err == SOTTO_OK) {
          for (uint32_t d = queue_.dropped - dropped_before; d > 0; --d) {
            model->pop_front();
          }
          model->push_back({bytes, step.boot_id});
        }
      } else if (step.kind == Step::kPop) {
        err = sotto_flash_queue_pop(&queue_);
        if (err == SOTTO_OK) {
          model->pop_front();
        }
      } else {
        err = open();
      }
      outcome.drops.push_back(queue_.dropped - dropped_before);
      if (err != SOTTO_OK) {
        EXPECT_EQ(err, SOTTO_ERR_STORAGE) << "step " << i;
        outcome.cut = true;
        outcome.step = i;
        outcome.before = before;
        return outcome;
      }
      EXPECT_EQ(contents(queue_), std::vector<QueuedEvent>(model->begin(), model->end()))
          << "step " << i;
    }
    return outcome;
  }

  FlashRegion flash_;
  uint32_t max_events_;
  sotto_flash_queue_t queue_{};
};

// R is `before` with at most `max_dropped` of its oldest removed, and `added` appended or not.
bool is_allowed(const Events &before, size_t max_dropped, const QueuedEvent *added,
                const std::vector<QueuedEvent> &read_back) {
  for (size_t dropped = 0; dropped <= max_dropped && dropped <= before.size(); ++dropped) {
    std::vector<QueuedEvent> kept(before.begin() + static_cast<long>(dropped), before.end());
    if (read_back == kept) {
      return true;
    }
    if (added != nullptr) {
      kept.push_back(*added);
      if (read_back == kept) {
        return true;
      }
    }
  }
  return false;
}

void cut_everywhere(uint32_t max_events) {
  const std::vector<Step> steps = script();
  Runner clean(max_events);
  Events clean_model;
  const Outcome reference = clean.run(steps, &clean_model);
  ASSERT_FALSE(reference.cut);
  const uint64_t total_ops = clean.flash_.ops();
  ASSERT_GT(total_ops, 60u);
  const sotto_ram_storage_tear_t tears[] = {{0, 0},         {1, 0},         {7, 1},
                                            {8 * 9 + 3, 0}, {8 * 9 + 3, 1}, {100000, 0}};
  int cuts = 0;
  for (const sotto_ram_storage_tear_t &tear : tears) {
    for (uint64_t k = 0; k < total_ops; ++k) {
      SCOPED_TRACE(testing::Message()
                   << "cut during op " << k + 1 << " of " << total_ops << ", tear " << tear.bits
                   << (tear.from_end ? " from end" : ""));
      Runner runner(max_events);
      sotto_host_storage_cut_power_during(runner.flash_.storage(), k, tear);
      Events model;
      const Outcome outcome = runner.run(steps, &model);
      ASSERT_TRUE(outcome.cut);
      cuts += 1;
      sotto_host_storage_restore_power(runner.flash_.storage());
      ASSERT_EQ(runner.open(), SOTTO_OK);  // reboot
      const std::vector<QueuedEvent> read_back = contents(runner.queue_);
      const Step &step = steps[outcome.step];
      if (step.kind == Step::kPush) {
        const QueuedEvent added = {event_bytes(step.tag, step.len), step.boot_id};
        EXPECT_TRUE(is_allowed(outcome.before, reference.drops[outcome.step], &added, read_back))
            << "push of event " << int{step.tag} << ": " << outcome.before.size() << " before, "
            << read_back.size() << " read back";
      } else {
        const size_t pops = step.kind == Step::kPop ? 1 : 0;
        EXPECT_TRUE(is_allowed(outcome.before, pops, nullptr, read_back))
            << "step " << outcome.step << ": " << outcome.before.size() << " before, "
            << read_back.size() << " read back";
      }
      // The log stays usable: new events go in after what survived and come out in order.
      std::vector<QueuedEvent> expected = read_back;
      for (uint8_t tag = 200; tag < 203; ++tag) {
        std::vector<uint8_t> bytes = event_bytes(tag, 20);
        ASSERT_EQ(sotto_flash_queue_push(&runner.queue_, bytes.data(), bytes.size(), 9), SOTTO_OK);
        expected.push_back({bytes, 9});
      }
      if (max_events != 0 && expected.size() > max_events) {
        expected.erase(expected.begin(), expected.end() - max_events);
      }
      ASSERT_EQ(runner.open(), SOTTO_OK);
      const std::vector<QueuedEvent> after = contents(runner.queue_);
      // A full ring may give up a sector for the new events: the survivors are a suffix.
      ASSERT_LE(after.size(), expected.size());
      EXPECT_TRUE(std::equal(after.begin(), after.end(), expected.end() - after.size()));
      EXPECT_GE(after.size(), 3u);
    }
  }
  testing::Test::RecordProperty("cut_points", cuts);
}

TEST(FlashQueuePowerCut, EveryCutOfEveryOperationKeepsEachEventExactlyOnce) {
  cut_everywhere(0);
}

TEST(FlashQueuePowerCut, EveryCutWithAnEventCapKeepsEachEventExactlyOnce) {
  cut_everywhere(10);
}

}  // namespace
}  // namespace sotto::test
