// Elementwise, in-place, reduction, linear-algebra, shape and indexing operations.
#include <algorithm>
#include <cstdlib>

#include "internal.hpp"

using namespace ctorch;

namespace {

at::Tensor wrapped_number(ct_scalar s) {
  auto t = c10::scalar_to_tensor(scalar(s));
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

at::Tensor binary(int op, const at::Tensor &a, const at::Tensor &b) {
  switch (op) {
  case 0: return at::add(a, b);
  case 1: return at::sub(a, b);
  case 2: return at::mul(a, b);
  case 3: return at::div(a, b);
  case 4: return at::pow(a, b);
  case 5: return at::remainder(a, b);
  case 6: return at::maximum(a, b);
  case 7: return at::minimum(a, b);
  case 8: return at::atan2(a, b);
  case 9: return at::eq(a, b);
  case 10: return at::ne(a, b);
  case 11: return at::lt(a, b);
  case 12: return at::le(a, b);
  case 13: return at::gt(a, b);
  case 14: return at::ge(a, b);
  case 15: return at::logical_and(a, b);
  case 16: return at::logical_or(a, b);
  case 17: return at::div(a, b, "floor");
  default: throw std::invalid_argument("unknown binary operation code " + std::to_string(op));
  }
}

at::Tensor unary(int op, const at::Tensor &a) {
  switch (op) {
  case 0: return at::neg(a);
  case 1: return at::abs(a);
  case 2: return at::exp(a);
  case 3: return at::log(a);
  case 4: return at::sqrt(a);
  case 5: return at::rsqrt(a);
  case 6: return at::sin(a);
  case 7: return at::cos(a);
  case 8: return at::tanh(a);
  case 9: return at::sigmoid(a);
  case 10: return at::relu(a);
  case 11: return at::gelu(a, "none");
  case 12: return at::gelu(a, "tanh");
  case 13: return at::silu(a);
  case 14: return at::square(a);
  case 15: return at::reciprocal(a);
  case 16: return at::floor(a);
  case 17: return at::ceil(a);
  case 18: return at::round(a);
  case 19: return at::sign(a);
  case 20: return at::logical_not(a);
  case 21: return at::log1p(a);
  case 22: return at::expm1(a);
  case 23: return at::erf(a);
  case 24: return at::isnan(a);
  case 25: return at::isfinite(a);
  case 26: return at::softplus(a);
  case 27: return at::tan(a);
  case 28: return at::asin(a);
  case 29: return at::acos(a);
  case 30: return at::atan(a);
  case 31: return at::sinh(a);
  case 32: return at::cosh(a);
  case 33: return at::real(a);
  case 34: return at::imag(a);
  case 35: return at::conj(a).resolve_conj();
  case 36: return at::angle(a);
  case 37: return at::view_as_real(a);
  case 38: return at::view_as_complex(a);
  case 39: return at::mish(a);
  default: throw std::invalid_argument("unknown unary operation code " + std::to_string(op));
  }
}

std::vector<int64_t> all_dims(const at::Tensor &a) {
  std::vector<int64_t> d(static_cast<size_t>(a.dim()));
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<int64_t>(i);
  return d;
}

// Reduces one dimension at a time (highest first) for operations that take a single dim.
template <typename F> at::Tensor each_dim(const at::Tensor &a, std::vector<int64_t> d, bool keepdim, F f) {
  for (auto &x : d) x = c10::maybe_wrap_dim(x, a.dim());
  std::sort(d.begin(), d.end(), std::greater<int64_t>());
  at::Tensor r = a;
  for (auto x : d) r = f(r, x, keepdim);
  return r;
}

at::Tensor reduce(int op, const at::Tensor &a, const int64_t *dp, int n, bool keepdim) {
  bool whole = (dp == nullptr || n == 0);
  std::vector<int64_t> d = whole ? all_dims(a) : std::vector<int64_t>(dp, dp + n);
  switch (op) {
  case 0: return whole && !keepdim ? at::sum(a) : at::sum(a, d, keepdim);
  case 1: return whole && !keepdim ? at::mean(a) : at::mean(a, d, keepdim);
  case 2:
    if (whole && !keepdim) return at::prod(a);
    return each_dim(a, d, keepdim, [](const at::Tensor &t, int64_t x, bool k) { return at::prod(t, x, k); });
  case 3: return at::amax(a, d, keepdim);
  case 4: return at::amin(a, d, keepdim);
  case 5: return at::std(a, at::OptionalIntArrayRef(d), true, keepdim);
  case 6: return at::var(a, at::OptionalIntArrayRef(d), true, keepdim);
  case 7: return at::logsumexp(a, d, keepdim);
  case 8: return at::linalg_vector_norm(a, 2.0, at::OptionalIntArrayRef(d), keepdim, c10::nullopt);
  case 9:
    if (whole && !keepdim) return at::any(a);
    return each_dim(a, d, keepdim, [](const at::Tensor &t, int64_t x, bool k) { return at::any(t, x, k); });
  case 10:
    if (whole && !keepdim) return at::all(a);
    return each_dim(a, d, keepdim, [](const at::Tensor &t, int64_t x, bool k) { return at::all(t, x, k); });
  case 11: return at::std(a, at::OptionalIntArrayRef(d), false, keepdim);
  case 12: return at::var(a, at::OptionalIntArrayRef(d), false, keepdim);
  default: throw std::invalid_argument("unknown reduction code " + std::to_string(op));
  }
}

std::vector<at::Tensor> list(const ct_tensor *ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(T(ts[i]));
  return v;
}

void emit(const std::vector<at::Tensor> &pieces, ct_tensor **outs, int *count) {
  auto *array = static_cast<ct_tensor *>(std::malloc(sizeof(ct_tensor) * std::max<size_t>(pieces.size(), 1)));
  if (!array) throw std::bad_alloc();
  for (size_t i = 0; i < pieces.size(); ++i) array[i] = wrap(pieces[i]);
  *outs = array;
  *count = static_cast<int>(pieces.size());
}

}  // namespace

extern "C" {

int ct_binary(int op, ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(binary(op, T(a), T(b)))) }
int ct_binary_scalar(int op, ct_tensor a, ct_scalar b, ct_tensor *out) {
  CT_TRY(*out = wrap(binary(op, T(a), wrapped_number(b))))
}
int ct_scalar_binary(int op, ct_scalar a, ct_tensor b, ct_tensor *out) {
  CT_TRY(*out = wrap(binary(op, wrapped_number(a), T(b))))
}
int ct_unary(int op, ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(unary(op, T(a)))) }
int ct_leaky_relu(ct_tensor a, double slope, ct_tensor *out) { CT_TRY(*out = wrap(at::leaky_relu(T(a), slope))) }
int ct_elu(ct_tensor a, double alpha, ct_tensor *out) { CT_TRY(*out = wrap(at::elu(T(a), alpha))) }
int ct_clamp(ct_tensor a, int has_min, double mn, int has_max, double mx, ct_tensor *out) {
  CT_TRY({
    c10::optional<at::Scalar> lo, hi;
    if (has_min) lo = mn;
    if (has_max) hi = mx;
    *out = wrap(at::clamp(T(a), lo, hi));
  })
}
int ct_where(ct_tensor c, ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(at::where(T(c), T(a), T(b)))) }
int ct_masked_fill(ct_tensor a, ct_tensor mask, ct_scalar v, ct_tensor *out) {
  CT_TRY(*out = wrap(at::masked_fill(T(a), T(mask), scalar(v))))
}
int ct_lerp(ct_tensor a, ct_tensor b, double w, ct_tensor *out) { CT_TRY(*out = wrap(at::lerp(T(a), T(b), w))) }
int ct_allclose(ct_tensor a, ct_tensor b, double rtol, double atol, int *out) {
  CT_TRY(*out = at::allclose(T(a), T(b), rtol, atol))
}
int ct_equal(ct_tensor a, ct_tensor b, int *out) { CT_TRY(*out = at::equal(T(a), T(b))) }

int ct_inplace_binary(int op, ct_tensor a, ct_tensor b) {
  CT_TRY({
    switch (op) {
    case 0: T(a).add_(T(b)); break;
    case 1: T(a).sub_(T(b)); break;
    case 2: T(a).mul_(T(b)); break;
    case 3: T(a).div_(T(b)); break;
    default: throw std::invalid_argument("unknown in-place operation code " + std::to_string(op));
    }
  })
}
int ct_inplace_binary_scalar(int op, ct_tensor a, ct_scalar b) {
  CT_TRY({
    switch (op) {
    case 0: T(a).add_(scalar(b)); break;
    case 1: T(a).sub_(scalar(b)); break;
    case 2: T(a).mul_(scalar(b)); break;
    case 3: T(a).div_(scalar(b)); break;
    default: throw std::invalid_argument("unknown in-place operation code " + std::to_string(op));
    }
  })
}
int ct_add_scaled_(ct_tensor a, ct_tensor b, double alpha) { CT_TRY(T(a).add_(T(b), alpha)) }
int ct_addcmul_(ct_tensor a, ct_tensor b, ct_tensor c, double v) { CT_TRY(T(a).addcmul_(T(b), T(c), v)) }
int ct_addcdiv_(ct_tensor a, ct_tensor b, ct_tensor c, double v) { CT_TRY(T(a).addcdiv_(T(b), T(c), v)) }
int ct_lerp_(ct_tensor a, ct_tensor b, double w) { CT_TRY(T(a).lerp_(T(b), w)) }
int ct_copy_(ct_tensor dst, ct_tensor src) { CT_TRY(T(dst).copy_(T(src))) }
int ct_fill_(ct_tensor a, ct_scalar v) { CT_TRY(T(a).fill_(scalar(v))) }
int ct_zero_(ct_tensor a) { CT_TRY(T(a).zero_()) }
int ct_clamp_(ct_tensor a, int has_min, double mn, int has_max, double mx) {
  CT_TRY({
    c10::optional<at::Scalar> lo, hi;
    if (has_min) lo = mn;
    if (has_max) hi = mx;
    T(a).clamp_(lo, hi);
  })
}
int ct_sqrt_(ct_tensor a) { CT_TRY(T(a).sqrt_()) }

int ct_reduce(int op, ct_tensor a, const int64_t *d, int n, int keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(reduce(op, T(a), d, n, keepdim != 0)))
}
int ct_max_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::max(T(a), dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
int ct_min_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::min(T(a), dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
int ct_argmax(ct_tensor a, int64_t dim, int keepdim, ct_tensor *out) { CT_TRY(*out = wrap(at::argmax(T(a), dim, keepdim != 0))) }
int ct_argmin(ct_tensor a, int64_t dim, int keepdim, ct_tensor *out) { CT_TRY(*out = wrap(at::argmin(T(a), dim, keepdim != 0))) }
int ct_cumsum(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::cumsum(T(a), dim))) }
int ct_softmax(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::softmax(T(a), dim))) }
int ct_log_softmax(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::log_softmax(T(a), dim))) }

int ct_matmul(ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(at::matmul(T(a), T(b)))) }
int ct_bmm(ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(at::bmm(T(a), T(b)))) }
int ct_linear(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(at::linear(T(x), T(w), opt(b)))) }
int ct_einsum(const char *eq, const ct_tensor *ops, int n, ct_tensor *out) { CT_TRY(*out = wrap(at::einsum(eq, list(ops, n)))) }
int ct_outer(ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(at::outer(T(a), T(b)))) }

int ct_reshape(ct_tensor a, const int64_t *s, int n, ct_tensor *out) { CT_TRY(*out = wrap(at::reshape(T(a), dims(s, n)))) }
int ct_view(ct_tensor a, const int64_t *s, int n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).view(dims(s, n)))) }
int ct_permute(ct_tensor a, const int64_t *d, int n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).permute(dims(d, n)))) }
int ct_transpose(ct_tensor a, int64_t d0, int64_t d1, ct_tensor *out) { CT_TRY(*out = wrap(T(a).transpose(d0, d1))) }
int ct_expand(ct_tensor a, const int64_t *s, int n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).expand(dims(s, n)))) }
int ct_repeat(ct_tensor a, const int64_t *r, int n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).repeat(dims(r, n)))) }
int ct_squeeze(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(T(a).squeeze(dim))) }
int ct_unsqueeze(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(T(a).unsqueeze(dim))) }
int ct_flatten(ct_tensor a, int64_t s, int64_t e, ct_tensor *out) { CT_TRY(*out = wrap(T(a).flatten(s, e))) }
int ct_narrow(ct_tensor a, int64_t dim, int64_t start, int64_t length, ct_tensor *out) {
  CT_TRY(*out = wrap(T(a).narrow(dim, start, length)))
}
int ct_slice(ct_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, ct_tensor *out) {
  CT_TRY(*out = wrap(T(a).slice(dim, start, end, step)))
}
int ct_select(ct_tensor a, int64_t dim, int64_t index, ct_tensor *out) { CT_TRY(*out = wrap(T(a).select(dim, index))) }
int ct_roll(ct_tensor a, const int64_t *shifts, const int64_t *d, int n, ct_tensor *out) {
  CT_TRY(*out = wrap(at::roll(T(a), dims(shifts, n), dims(d, n))))
}
int ct_flip(ct_tensor a, const int64_t *d, int n, ct_tensor *out) { CT_TRY(*out = wrap(at::flip(T(a), dims(d, n)))) }
int ct_cat(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::cat(list(ts, n), dim))) }
int ct_stack(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::stack(list(ts, n), dim))) }
int ct_split(ct_tensor a, int64_t size, int64_t dim, ct_tensor **outs, int *count) {
  CT_TRY(emit(at::split(T(a), size, dim), outs, count))
}
int ct_chunk(ct_tensor a, int64_t chunks, int64_t dim, ct_tensor **outs, int *count) {
  CT_TRY(emit(at::chunk(T(a), chunks, dim), outs, count))
}
int ct_tril(ct_tensor a, int64_t k, ct_tensor *out) { CT_TRY(*out = wrap(at::tril(T(a), k))) }
int ct_triu(ct_tensor a, int64_t k, ct_tensor *out) { CT_TRY(*out = wrap(at::triu(T(a), k))) }

int ct_index_select(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor *out) { CT_TRY(*out = wrap(at::index_select(T(a), dim, T(i)))) }
int ct_gather(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor *out) { CT_TRY(*out = wrap(at::gather(T(a), dim, T(i)))) }
int ct_scatter_add(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor s, ct_tensor *out) {
  CT_TRY(*out = wrap(at::scatter_add(T(a), dim, T(i), T(s))))
}
int ct_index_add(ct_tensor a, int64_t dim, ct_tensor i, ct_tensor s, ct_tensor *out) {
  CT_TRY(*out = wrap(at::index_add(T(a), dim, T(i), T(s))))
}
int ct_masked_select(ct_tensor a, ct_tensor m, ct_tensor *out) { CT_TRY(*out = wrap(at::masked_select(T(a), T(m)))) }
int ct_nonzero(ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(at::nonzero(T(a)))) }
int ct_sort(ct_tensor a, int64_t dim, int desc, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::sort(T(a), dim, desc != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
int ct_topk(ct_tensor a, int64_t k, int64_t dim, int largest, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::topk(T(a), k, dim, largest != 0, true);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}

}  // extern "C"
