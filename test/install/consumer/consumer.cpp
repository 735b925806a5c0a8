// Links the installed C++ runtime: reads a manifest (a bad one, so that no
// GPU or cubin is needed) and expects the reader's error.
#include "sattn/Manifest.h"

#include <cstdio>
#include <string>

int main() {
  sattn::Result<sattn::Manifest> m =
      sattn::parseManifest("{\"format_version\": 99}", "outside.json");
  if (m || m.status().message().find("outside.json: $") == std::string::npos) {
    std::printf("unexpected: %s\n",
                m ? "accepted" : m.status().message().c_str());
    return 1;
  }
  std::printf("c++ runtime: %s\n", m.status().message().c_str());
  return 0;
}
