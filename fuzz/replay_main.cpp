// A main() for the harnesses where libFuzzer is not available (gcc builds, e.g.
// scripts/sanitize.sh): feeds each file named, and each file in each folder named, to
// LLVMFuzzerTestOneInput once. A finding aborts, as under libFuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

namespace {

void replay(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::vector<char> bytes{std::istreambuf_iterator<char>{in}, {}};
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 0;
  for (int i = 1; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (auto& entry : fs::directory_iterator{argv[i]})
        if (entry.is_regular_file()) {
          replay(entry.path());
          ++n;
        }
    } else if (fs::is_regular_file(argv[i])) {
      replay(argv[i]);
      ++n;
    } else {
      std::fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
      return 2;
    }
  }
  std::printf("replayed %zu inputs\n", n);
  return n > 0 ? 0 : 1;
}
