/* ctorch.h — Plume's C ABI over libtorch.
 *
 * Every function returns 0 on success and non-zero on failure; on failure no output is
 * written and ct_last_error() holds libtorch's message (thread-local, valid until the
 * next failing call on the same thread). No C++ exception crosses this boundary.
 *
 * Tensors are opaque handles owned by the caller: free each with ct_free. A NULL
 * handle passed where a tensor is optional (bias, weight, gradient) means "none".
 * dtype codes are c10::ScalarType values (stable in libtorch 1.13 and 2.x):
 * 0 uint8, 1 int8, 2 int16, 3 int32, 4 int64, 5 float16, 6 float32, 7 float64,
 * 9 complex64, 10 complex128, 11 bool, 15 bfloat16.
 * device: type 0 = CPU, 1 = CUDA; index is the CUDA ordinal (ignored for CPU).
 */
#ifndef PLUME_CTORCH_H
#define PLUME_CTORCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;
typedef struct ct_generator_s *ct_generator;
typedef struct ct_process_group_s *ct_process_group;
typedef struct ct_reducer_s *ct_reducer;

/* A number passed to libtorch: integral (i) when is_integral != 0, else floating (f). */
typedef struct {
  int is_integral;
  int64_t i;
  double f;
} ct_scalar;

/* ---- errors, library ---- */
const char *ct_last_error(void);
void ct_free(ct_tensor t);
void ct_free_array(ct_tensor *ts); /* frees the array returned by the list functions, not the tensors */
int ct_version(char *buffer, size_t capacity);
int ct_set_num_threads(int n);
int ct_get_num_threads(int *out);
int ct_cuda_device_count(int *out);
int ct_manual_seed(uint64_t seed);
int ct_set_grad_enabled(int enabled, int *previous);
int ct_is_grad_enabled(int *out);
/* Autocast on this thread: device_type 0 CPU, 1 CUDA; dtype 15 bfloat16 or 5 float16. */
int ct_set_autocast(int device_type, int enabled, int dtype, int *previous);

/* ---- generators ---- */
int ct_generator_new(uint64_t seed, ct_generator *out);
void ct_generator_free(ct_generator g);
int ct_generator_get_state(ct_generator g, ct_tensor *out);
int ct_generator_set_state(ct_generator g, ct_tensor state);

/* ---- creation ---- */
int ct_from_data(const void *data, const int64_t *shape, int ndim, int dtype, ct_tensor *out);
/* Host values onto a device: for CUDA through pinned host memory and an asynchronous copy. */
int ct_upload(const void *data, const int64_t *shape, int ndim, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_empty(const int64_t *shape, int ndim, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_zeros(const int64_t *shape, int ndim, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_ones(const int64_t *shape, int ndim, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_full(const int64_t *shape, int ndim, ct_scalar value, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_arange(ct_scalar start, ct_scalar end, ct_scalar step, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_linspace(double start, double end, int64_t steps, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_eye(int64_t n, int dtype, int device_type, int device_index, ct_tensor *out);
/* kind: 0 uniform [0,1), 1 standard normal. g may be NULL (the default generator). */
int ct_rand(const int64_t *shape, int ndim, int kind, ct_generator g, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, ct_generator g, int device_type, int device_index, ct_tensor *out);
int ct_randperm(int64_t n, ct_generator g, ct_tensor *out);
int ct_bernoulli(ct_tensor probabilities, ct_generator g, ct_tensor *out);

/* ---- metadata, data ---- */
int ct_ndim(ct_tensor t, int *out);
int ct_shape(ct_tensor t, int64_t *out, int capacity);
int ct_dtype(ct_tensor t, int *out);
int ct_device(ct_tensor t, int *device_type, int *device_index);
int ct_numel(ct_tensor t, int64_t *out);
int ct_is_contiguous(ct_tensor t, int *out);
int ct_requires_grad(ct_tensor t, int *out);
int ct_set_requires_grad(ct_tensor t, int requires_grad);
int ct_is_leaf(ct_tensor t, int *out);
/* libtorch's version counter (bumped by every in-place modification) and the address of the
 * first element: together they change whenever the values may have changed. */
int ct_value_stamp(ct_tensor t, int64_t *version, uintptr_t *address);
/* Copies all elements (row-major, converted to dtype, moved to CPU) into dst of nbytes. */
int ct_copy_to(ct_tensor t, int dtype, void *dst, size_t nbytes);
int ct_item(ct_tensor t, double *out);
int ct_description(ct_tensor t, char *buffer, size_t capacity, size_t *needed);
int ct_shallow_clone(ct_tensor t, ct_tensor *out);

/* ---- conversion ---- */
int ct_to(ct_tensor t, int dtype, int device_type, int device_index, ct_tensor *out);
int ct_clone(ct_tensor t, ct_tensor *out);
int ct_detach(ct_tensor t, ct_tensor *out);
int ct_contiguous(ct_tensor t, ct_tensor *out);
/* Makes t hold src's data (dtype and device may differ) while keeping t's autograd identity
 * (leaf, requires_grad, every handle sharing t): libtorch's Tensor::set_data, PyTorch's `t.data = src`. */
int ct_set_data(ct_tensor t, ct_tensor src);

/* ---- elementwise (binary: op 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 remainder, 6 maximum,
 * 7 minimum, 8 atan2, 9 eq, 10 ne, 11 lt, 12 le, 13 gt, 14 ge, 15 logical_and, 16 logical_or,
 * 17 floor_divide) ---- */
int ct_binary(int op, ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_binary_scalar(int op, ct_tensor a, ct_scalar b, ct_tensor *out);
int ct_scalar_binary(int op, ct_scalar a, ct_tensor b, ct_tensor *out); /* a op b with a scalar left operand */
/* unary: 0 neg, 1 abs, 2 exp, 3 log, 4 sqrt, 5 rsqrt, 6 sin, 7 cos, 8 tanh, 9 sigmoid, 10 relu,
 * 11 gelu (exact erf), 12 gelu (tanh approximation), 13 silu, 14 square, 15 reciprocal,
 * 16 floor, 17 ceil, 18 round, 19 sign, 20 logical_not, 21 log1p, 22 expm1, 23 erf, 24 isnan,
 * 25 isfinite, 26 softplus, 27 tan, 28 asin, 29 acos, 30 atan, 31 sinh, 32 cosh, 33 real, 34 imag,
 * 35 conj, 36 angle, 37 view_as_real, 38 view_as_complex, 39 mish */
int ct_unary(int op, ct_tensor a, ct_tensor *out);
int ct_leaky_relu(ct_tensor a, double negative_slope, ct_tensor *out);
int ct_elu(ct_tensor a, double alpha, ct_tensor *out);
int ct_clamp(ct_tensor a, int has_min, double min, int has_max, double max, ct_tensor *out);
int ct_where(ct_tensor condition, ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_masked_fill(ct_tensor a, ct_tensor mask, ct_scalar value, ct_tensor *out);
int ct_lerp(ct_tensor a, ct_tensor b, double weight, ct_tensor *out);
int ct_allclose(ct_tensor a, ct_tensor b, double rtol, double atol, int *out);
int ct_equal(ct_tensor a, ct_tensor b, int *out);

/* ---- in place (autograd-aware; use under no-grad for parameter updates) ---- */
/* op: 0 add_, 1 sub_, 2 mul_, 3 div_ */
int ct_inplace_binary(int op, ct_tensor a, ct_tensor b);
int ct_inplace_binary_scalar(int op, ct_tensor a, ct_scalar b);
int ct_add_scaled_(ct_tensor a, ct_tensor b, double alpha); /* a += alpha * b */
int ct_addcmul_(ct_tensor a, ct_tensor b, ct_tensor c, double value); /* a += value * b * c */
int ct_addcdiv_(ct_tensor a, ct_tensor b, ct_tensor c, double value); /* a += value * b / c */
int ct_lerp_(ct_tensor a, ct_tensor b, double weight);
int ct_copy_(ct_tensor dst, ct_tensor src);
int ct_fill_(ct_tensor a, ct_scalar value);
int ct_zero_(ct_tensor a);
int ct_clamp_(ct_tensor a, int has_min, double min, int has_max, double max);
int ct_sqrt_(ct_tensor a);

/* ---- reductions (dims NULL / ndims 0 = all) ---- */
/* op: 0 sum, 1 mean, 2 prod, 3 amax, 4 amin, 5 std (unbiased), 6 var (unbiased), 7 logsumexp,
 * 8 norm (2-norm), 9 any, 10 all, 11 std (biased), 12 var (biased) */
int ct_reduce(int op, ct_tensor a, const int64_t *dims, int ndims, int keepdim, ct_tensor *out);
int ct_max_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices);
int ct_min_dim(ct_tensor a, int64_t dim, int keepdim, ct_tensor *values, ct_tensor *indices);
int ct_argmax(ct_tensor a, int64_t dim, int keepdim, ct_tensor *out);
int ct_argmin(ct_tensor a, int64_t dim, int keepdim, ct_tensor *out);
int ct_cumsum(ct_tensor a, int64_t dim, ct_tensor *out);
int ct_softmax(ct_tensor a, int64_t dim, ct_tensor *out);
int ct_log_softmax(ct_tensor a, int64_t dim, ct_tensor *out);

/* ---- linear algebra ---- */
int ct_matmul(ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_bmm(ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_linear(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor *out);
int ct_einsum(const char *equation, const ct_tensor *operands, int n, ct_tensor *out);
int ct_outer(ct_tensor a, ct_tensor b, ct_tensor *out);

/* ---- shape ---- */
int ct_reshape(ct_tensor a, const int64_t *shape, int ndim, ct_tensor *out);
int ct_view(ct_tensor a, const int64_t *shape, int ndim, ct_tensor *out);
int ct_permute(ct_tensor a, const int64_t *dims, int ndim, ct_tensor *out);
int ct_transpose(ct_tensor a, int64_t dim0, int64_t dim1, ct_tensor *out);
int ct_expand(ct_tensor a, const int64_t *shape, int ndim, ct_tensor *out);
int ct_repeat(ct_tensor a, const int64_t *repeats, int ndim, ct_tensor *out);
int ct_squeeze(ct_tensor a, int64_t dim, ct_tensor *out);
int ct_unsqueeze(ct_tensor a, int64_t dim, ct_tensor *out);
int ct_flatten(ct_tensor a, int64_t start_dim, int64_t end_dim, ct_tensor *out);
int ct_narrow(ct_tensor a, int64_t dim, int64_t start, int64_t length, ct_tensor *out);
int ct_slice(ct_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, ct_tensor *out);
int ct_select(ct_tensor a, int64_t dim, int64_t index, ct_tensor *out);
int ct_roll(ct_tensor a, const int64_t *shifts, const int64_t *dims, int n, ct_tensor *out);
int ct_flip(ct_tensor a, const int64_t *dims, int n, ct_tensor *out);
int ct_cat(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out);
int ct_stack(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out);
/* split into pieces of split_size (last may be smaller) / chunk into count pieces; *outs is
 * malloc'ed (free with ct_free_array after taking the tensors), *count the number of pieces. */
int ct_split(ct_tensor a, int64_t split_size, int64_t dim, ct_tensor **outs, int *count);
int ct_chunk(ct_tensor a, int64_t chunks, int64_t dim, ct_tensor **outs, int *count);
int ct_tril(ct_tensor a, int64_t diagonal, ct_tensor *out);
int ct_triu(ct_tensor a, int64_t diagonal, ct_tensor *out);

/* ---- indexing ---- */
int ct_index_select(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out);
int ct_gather(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out);
int ct_scatter_add(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src, ct_tensor *out);
int ct_index_add(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src, ct_tensor *out);
int ct_masked_select(ct_tensor a, ct_tensor mask, ct_tensor *out);
int ct_nonzero(ct_tensor a, ct_tensor *out);
int ct_sort(ct_tensor a, int64_t dim, int descending, ct_tensor *values, ct_tensor *indices);
int ct_topk(ct_tensor a, int64_t k, int64_t dim, int largest, ct_tensor *values, ct_tensor *indices);

/* ---- neural-network functions ---- */
int ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *stride, const int64_t *padding,
              const int64_t *dilation, int64_t groups, ct_tensor *out);
int ct_conv_transpose2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *stride, const int64_t *padding,
                        const int64_t *output_padding, int64_t groups, const int64_t *dilation, ct_tensor *out);
int ct_conv1d(ct_tensor x, ct_tensor w, ct_tensor b, int64_t stride, int64_t padding, int64_t dilation,
              int64_t groups, ct_tensor *out);
int ct_max_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  const int64_t *dilation, int ceil_mode, ct_tensor *out);
int ct_avg_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  int ceil_mode, int count_include_pad, ct_tensor *out);
int ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *output_size, ct_tensor *out);
/* mode: 0 nearest, 1 bilinear (align_corners honoured), 2 bicubic; output size [h, w]. */
int ct_interpolate2d(ct_tensor x, const int64_t *size, int mode, int align_corners, ct_tensor *out);
/* mode: 0 constant, 1 reflect, 2 replicate, 3 circular; pad as in torch.nn.functional.pad. */
int ct_pad(ct_tensor x, const int64_t *pad, int npad, int mode, double value, ct_tensor *out);
int ct_layer_norm(ct_tensor x, const int64_t *normalized_shape, int n, ct_tensor w, ct_tensor b, double eps, ct_tensor *out);
int ct_group_norm(ct_tensor x, int64_t groups, ct_tensor w, ct_tensor b, double eps, ct_tensor *out);
/* running_mean/var may be NULL; when training they are updated in place with momentum. */
int ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor running_mean, ct_tensor running_var,
                  int training, double momentum, double eps, ct_tensor *out);
int ct_instance_norm(ct_tensor x, ct_tensor w, ct_tensor b, double eps, ct_tensor *out);
int ct_dropout(ct_tensor x, double p, int training, ct_generator g, ct_tensor *out);
int ct_embedding(ct_tensor weight, ct_tensor indices, ct_tensor *out);
/* reduction: 0 none, 1 mean, 2 sum */
int ct_mse_loss(ct_tensor a, ct_tensor b, int reduction, ct_tensor *out);
int ct_l1_loss(ct_tensor a, ct_tensor b, int reduction, ct_tensor *out);
int ct_cross_entropy(ct_tensor logits, ct_tensor target, int reduction, ct_tensor *out);

/* ---- FFT (norm: 0 "backward", 1 "forward", 2 "ortho"; n < 0 = default) ---- */
int ct_rfft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out);
int ct_irfft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out);
int ct_fft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out);
int ct_ifft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out);

/* ---- autograd ---- */
/* gradient may be NULL for a scalar tensor. */
int ct_backward(ct_tensor t, ct_tensor gradient, int retain_graph, int create_graph);
/* *out = NULL when the tensor has no gradient. */
int ct_grad(ct_tensor t, ct_tensor *out);
int ct_set_grad(ct_tensor t, ct_tensor grad); /* grad NULL clears it */
/* Gradients of outputs (weighted by grad_outputs, which may be NULL) with respect to inputs. */
int ct_autograd_grad(const ct_tensor *outputs, const ct_tensor *grad_outputs, int n_outputs,
                     const ct_tensor *inputs, int n_inputs, int retain_graph, int create_graph,
                     int allow_unused, ct_tensor *grads);

/* ---- distributed (c10d) ----
 * backend: 0 Gloo (CPU), 1 NCCL (CUDA builds). A process group rendezvous at a TCPStore on
 * master_address:port, served by rank 0; collectives fail after timeout_ms. */
int ct_dist_backend_available(int backend, int *out);
int ct_process_group_new(const char *master_address, int port, int rank, int world_size, int backend,
                         int64_t timeout_ms, ct_process_group *out);
void ct_process_group_free(ct_process_group g);
/* In place, tensor by tensor: from rank root to every rank. */
int ct_process_group_broadcast(ct_process_group g, const ct_tensor *ts, int n, int root);
/* In place, tensor by tensor; op: 0 sum, 1 max, 2 min. */
int ct_process_group_all_reduce(ct_process_group g, const ct_tensor *ts, int n, int op);
int ct_process_group_barrier(ct_process_group g);
/* DDP's gradient Reducer over the parameters (all must receive a gradient each step): after
 * ct_reducer_prepare, the next backward pass averages their gradients over the group in
 * buckets of bucket_bytes, launched from autograd hooks as the gradients become ready. */
int ct_reducer_new(ct_process_group g, const ct_tensor *parameters, int n, int64_t bucket_bytes, ct_reducer *out);
void ct_reducer_free(ct_reducer r);
int ct_reducer_prepare(ct_reducer r);
/* Totals over the backward passes so far: bucket all-reduce time before the last bucket's
 * launch (overlapped with the backward pass) and after it (exposed), buckets, passes. */
int ct_reducer_timing(ct_reducer r, double *overlapped_seconds, double *exposed_seconds, int64_t *buckets,
                      int64_t *backward_passes);

#ifdef __cplusplus
}
#endif

#endif
