// The broker's ACL as text, and reloading the broker by its pid file (the reload itself, against
// a real mosquitto, is in tests/e2e/broker_security_test.cpp).
#include <unistd.h>

#include <fstream>

#include "broker_files.h"
#include "pki_fixture.h"

namespace sotto::gw::pki {
namespace {

IssuedCertificate row(const std::string &device, const std::string &site, int64_t not_after,
                      int64_t revoked = 0) {
  IssuedCertificate certificate;
  certificate.serial = "40" + device.substr(0, 2);
  certificate.device = device;
  certificate.site = site;
  certificate.device_class = "1";
  certificate.how = "provisioned";
  certificate.issued_s = 100;
  certificate.not_before_s = 100;
  certificate.not_after_s = not_after;
  certificate.revoked_s = revoked;
  return certificate;
}

TEST(BrokerFiles, TheAclGivesSottodTheFleetAndEachUsableDeviceItsOwnTopics) {
  const std::string acl =
      broker_acl_text({row("valve-3", "farm-north", 1000), row("expired-1", "farm-north", 150),
                       row("stolen-1", "farm-north", 1000, 180), row("press-1", "plant-1", 1000)},
                      200);
  EXPECT_EQ(acl,
            "# mosquitto ACL for the sotto fleet, rebuilt from devices.tsv by sottoctl at every\n"
            "# enrol, provision and revoke: edits here are lost. Usernames are certificate CNs.\n"
            "\n"
            "# sottod reads every uplink and writes every downlink.\n"
            "user sottod.gateway\n"
            "topic read sotto/v1/+/+/+\n"
            "topic read sotto/v1/+/+/ota/status\n"
            "topic write sotto/v1/+/+/ota/offer\n"
            "topic write sotto/v1/+/+/ota/chunk\n"
            "topic write sotto/v1/+/+/ota/keys\n"
            "\n"
            "# press-1 at plant-1: its own uplinks and downlinks only\n"
            "user press-1\n"
            "topic write sotto/v1/plant-1/press-1/event\n"
            "topic write sotto/v1/plant-1/press-1/health\n"
            "topic write sotto/v1/plant-1/press-1/ota/status\n"
            "topic read sotto/v1/plant-1/press-1/ota/offer\n"
            "topic read sotto/v1/plant-1/press-1/ota/chunk\n"
            "topic read sotto/v1/plant-1/press-1/ota/keys\n"
            "\n"
            "# valve-3 at farm-north: its own uplinks and downlinks only\n"
            "user valve-3\n"
            "topic write sotto/v1/farm-north/valve-3/event\n"
            "topic write sotto/v1/farm-north/valve-3/health\n"
            "topic write sotto/v1/farm-north/valve-3/ota/status\n"
            "topic read sotto/v1/farm-north/valve-3/ota/offer\n"
            "topic read sotto/v1/farm-north/valve-3/ota/chunk\n"
            "topic read sotto/v1/farm-north/valve-3/ota/keys\n");
}

TEST(BrokerFiles, ReloadRefusesWhatIsNotARunningMosquitto) {
  const std::string dir = fresh_dir("reload");
  EXPECT_EQ(reload_broker(dir + "/none.pid").message, "no broker pid in " + dir + "/none.pid");
  std::ofstream(dir + "/garbage.pid") << "12ab\n";
  EXPECT_EQ(reload_broker(dir + "/garbage.pid").message,
            dir + "/garbage.pid holds '12ab', not a process id");
  // This test's own process: alive, but never to be sent SIGHUP.
  std::ofstream(dir + "/self.pid") << ::getpid() << "\n";
  const BrokerReload self = reload_broker(dir + "/self.pid");
  EXPECT_FALSE(self.signalled);
  EXPECT_EQ(self.message, dir + "/self.pid names process " + std::to_string(::getpid()) +
                              " ('pki_unit_test'), not mosquitto");
}

}  // namespace
}  // namespace sotto::gw::pki
