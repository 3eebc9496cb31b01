// Between JavaScript values and the core's JSON and Result, for both embind layers
// (bindings.cc, kubeconfig_bindings.cc). A function returns its value or an error object
// {__credvault_error: code, message}, which credvault.mjs turns into a thrown CredvaultError.
#ifndef CREDVAULT_WASM_JS_VALUES_H_
#define CREDVAULT_WASM_JS_VALUES_H_

#include <emscripten/val.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

#include "credvault/status.h"

namespace credvault::wasm_js {

inline emscripten::val Error(const Status& s) {
  emscripten::val e = emscripten::val::object();
  e.set("__credvault_error", std::string(s.code_name()));
  e.set("message", s.message());
  return e;
}

inline emscripten::val ToJs(const nlohmann::json& j) {
  if (j.is_string()) return emscripten::val(j.get<std::string>());
  if (j.is_boolean()) return emscripten::val(j.get<bool>());
  if (j.is_number_unsigned()) return emscripten::val(static_cast<double>(j.get<uint64_t>()));
  if (j.is_number()) return emscripten::val(j.get<double>());
  return emscripten::val::global("JSON").call<emscripten::val>("parse", j.dump());
}

inline nlohmann::json FromJs(const emscripten::val& v) {
  if (v.isUndefined() || v.isNull()) return nlohmann::json();
  std::string text = emscripten::val::global("JSON").call<std::string>("stringify", v);
  return nlohmann::json::parse(text, nullptr, false);  // discarded on error: callers reject it
}

template <typename T>
emscripten::val Return(const Result<T>& r) {
  if (!r.ok()) return Error(r.status());
  if constexpr (std::is_same_v<T, nlohmann::json>) {
    return ToJs(r.value());
  } else {
    return emscripten::val(r.value());
  }
}

}  // namespace credvault::wasm_js

#endif  // CREDVAULT_WASM_JS_VALUES_H_
