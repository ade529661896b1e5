#include "vigil/messages/log.hpp"

#include <atomic>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vigil {

namespace {

constexpr const char* logger_name = "vigil";

std::atomic<uint64_t> generation{0};

std::mutex& creation_mutex() {
  static std::mutex mx;
  return mx;
}

} // namespace

std::shared_ptr<spdlog::logger> log() {
  if (auto x = spdlog::get(logger_name))
    return x;
  std::lock_guard<std::mutex> guard{creation_mutex()};
  if (auto x = spdlog::get(logger_name)) // created while we waited
    return x;
  // warn: the event stream tells each transition; a program chooses more (vigil-node
  // reads `log.level`, info by default).
  auto x = spdlog::stderr_color_mt(logger_name);
  x->set_level(spdlog::level::warn);
  return x;
}

void set_log(std::shared_ptr<spdlog::logger> logger) {
  std::lock_guard<std::mutex> guard{creation_mutex()};
  spdlog::drop(logger_name);
  if (logger->name() != logger_name) {
    // spdlog looks loggers up by name: keep the caller's sinks under vigil's name.
    auto renamed = logger->clone(logger_name);
    spdlog::register_logger(std::move(renamed));
  } else {
    spdlog::register_logger(std::move(logger));
  }
  generation.fetch_add(1, std::memory_order_release); // registered first: then seen
}

uint64_t log_generation() noexcept {
  return generation.load(std::memory_order_acquire);
}

} // namespace vigil
