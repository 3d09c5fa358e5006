// Kernels for one decode step of a Llama-2 model (llama2.c checkpoint layout), run by
// io.gridshare.node.engine.cuda.CudaBackend through the CUDA driver API.
//
// Compiled to PTX for a low virtual architecture by compute-node/scripts/build-ptx.sh; the PTX is
// committed under src/main/resources/io/gridshare/node/engine/cuda/llama.ptx and the driver
// JIT-compiles it for the GPU at hand.
//
// Every kernel works on a batch of B rows: row b is one token of one slot. Per-row slot index,
// token and position come from small device arrays (slot[b], token[b], pos[b]) so one launch
// serves several slots. Activations are [B, width] row-major. Each slot's KV cache is its own
// allocation per kind, found through the device tables key_cache[slot] and value_cache[slot], and
// laid out as cache[(layer * seq_len + position) * kv_dim + i].
//
// Numerics follow llama2.c's run.c (and the CPU backend) op for op where the order is sequential:
// rmsnorm's scale, RoPE from the same host-computed cos/sin table, attention scores as sequential
// dot products divided by sqrtf(head_size), expf-based softmax, the value sum over positions in
// increasing order, SiLU as x * (1 / (1 + expf(-x))). Dot products of the matrix-vector products
// and the reductions in rmsnorm/softmax are summed in a different order than on the CPU, so logits
// agree within a tolerance, not bit for bit. Built without --use_fast_math: sqrtf, division, expf
// are the accurate versions.

#define WARP 32
#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(FULL_MASK, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
    }
    return v;
}

// Block-wide sum; every thread gets the result. blockDim.x must be a multiple of 32, at most 1024.
__device__ float block_sum(float v, float* shared32) {
    int lane = threadIdx.x % WARP;
    int warp = threadIdx.x / WARP;
    v = warp_sum(v);
    __syncthreads();  // shared32 may still be read by a previous reduction
    if (lane == 0) shared32[warp] = v;
    __syncthreads();
    int warps = blockDim.x / WARP;
    v = (threadIdx.x < warps) ? shared32[threadIdx.x] : 0.0f;
    if (warp == 0) v = warp_sum(v);
    if (threadIdx.x == 0) shared32[0] = v;
    __syncthreads();
    return shared32[0];
}

__device__ float block_max(float v, float* shared32) {
    int lane = threadIdx.x % WARP;
    int warp = threadIdx.x / WARP;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) shared32[warp] = v;
    __syncthreads();
    int warps = blockDim.x / WARP;
    v = (threadIdx.x < warps) ? shared32[threadIdx.x] : -INFINITY;
    if (warp == 0) v = warp_max(v);
    if (threadIdx.x == 0) shared32[0] = v;
    __syncthreads();
    return shared32[0];
}

// Dot product of one weight row with one activation row, by one warp. float4 loads when the row
// length is a multiple of 4 (rows then start 16-byte aligned, as cuMemAlloc aligns to 256 bytes).
__device__ __forceinline__ float warp_dot(const float* __restrict__ w, const float* __restrict__ x, int n) {
    int lane = threadIdx.x % WARP;
    float sum = 0.0f;
    if ((n & 3) == 0) {
        const float4* w4 = reinterpret_cast<const float4*>(w);
        const float4* x4 = reinterpret_cast<const float4*>(x);
        int n4 = n >> 2;
        for (int j = lane; j < n4; j += WARP) {
            float4 a = __ldg(&w4[j]);
            float4 b = x4[j];
            sum += a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
        }
    } else {
        for (int j = lane; j < n; j += WARP) {
            sum += __ldg(&w[j]) * x[j];
        }
    }
    return warp_sum(sum);
}

// x[b, :] = table[token[b], :]. grid (B), block any.
extern "C" __global__ void embed(float* __restrict__ x, const float* __restrict__ table,
                                 const int* __restrict__ token, int dim) {
    int b = blockIdx.x;
    const float* row = table + (size_t) token[b] * dim;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        x[(size_t) b * dim + i] = row[i];
    }
}

// out[b, :] = w * (x[b, :] / sqrt(mean(x[b, :]^2) + eps)), as run.c: weight[j] * (ss * x[j]).
// grid (B), block 256.
extern "C" __global__ void rmsnorm(float* __restrict__ out, const float* __restrict__ x,
                                   const float* __restrict__ w, int dim, float eps) {
    __shared__ float shared32[32];
    int b = blockIdx.x;
    const float* xr = x + (size_t) b * dim;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        ss += xr[i] * xr[i];
    }
    ss = block_sum(ss, shared32);
    ss /= dim;
    ss += eps;
    ss = 1.0f / sqrtf(ss);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        out[(size_t) b * dim + i] = w[i] * (ss * xr[i]);
    }
}

// out[b, i] = W[i, :] . x[b, :] for W of d rows of n. One warp per row.
// grid (ceil(d / warpsPerBlock), B), block warpsPerBlock * 32.
extern "C" __global__ void matvec(float* __restrict__ out, const float* __restrict__ w,
                                  const float* __restrict__ x, int n, int d) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int b = blockIdx.y;
    if (row >= d) return;
    float sum = warp_dot(w + (size_t) row * n, x + (size_t) b * n, n);
    if (threadIdx.x % WARP == 0) out[(size_t) b * d + row] = sum;
}

// out[b, i] += W[i, :] . x[b, :] — the residual connection after wo and w2, as run.c's
// x[i] += xb2[i]. Same launch shape as matvec.
extern "C" __global__ void matvec_add(float* __restrict__ out, const float* __restrict__ w,
                                      const float* __restrict__ x, int n, int d) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int b = blockIdx.y;
    if (row >= d) return;
    float sum = warp_dot(w + (size_t) row * n, x + (size_t) b * n, n);
    if (threadIdx.x % WARP == 0) out[(size_t) b * d + row] += sum;
}

// q = Wq x, k = Wk x, v = Wv x in one launch: rows [0, dim) are q, [dim, dim + kv_dim) k, the
// rest v. grid (ceil((dim + 2 kv_dim) / warpsPerBlock), B), block warpsPerBlock * 32.
extern "C" __global__ void qkv_matvec(float* __restrict__ q, float* __restrict__ k, float* __restrict__ v,
                                      const float* __restrict__ wq, const float* __restrict__ wk,
                                      const float* __restrict__ wv, const float* __restrict__ x,
                                      int dim, int kv_dim) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int b = blockIdx.y;
    const float* xr = x + (size_t) b * dim;
    const float* w;
    float* out;
    if (row < dim) {
        w = wq + (size_t) row * dim;
        out = q + (size_t) b * dim + row;
    } else if (row < dim + kv_dim) {
        int r = row - dim;
        w = wk + (size_t) r * dim;
        out = k + (size_t) b * kv_dim + r;
    } else if (row < dim + 2 * kv_dim) {
        int r = row - dim - kv_dim;
        w = wv + (size_t) r * dim;
        out = v + (size_t) b * kv_dim + r;
    } else {
        return;
    }
    float sum = warp_dot(w, xr, dim);
    if (threadIdx.x % WARP == 0) *out = sum;
}

// Rotary position embedding of q and k (pairs (i, i+1) rotated by the angle of pos and i %
// head_size, taken from the host-computed table rope[pos][(i % head_size) / 2] = (cos, sin)),
// then k and v stored into the slot's cache at (layer, pos).
// grid (B), block 256.
extern "C" __global__ void rope_store(float* __restrict__ q, const float* __restrict__ k,
                                      const float* __restrict__ v, float* const* __restrict__ key_cache,
                                      float* const* __restrict__ value_cache, const float2* __restrict__ rope,
                                      const int* __restrict__ slot, const int* __restrict__ pos, int layer,
                                      int seq_len, int dim, int kv_dim, int head_size) {
    int b = blockIdx.x;
    int p = pos[b];
    size_t cache_row = ((size_t) layer * seq_len + p) * kv_dim;
    float* kc = key_cache[slot[b]] + cache_row;
    float* vc = value_cache[slot[b]] + cache_row;
    const float2* angles = rope + (size_t) p * (head_size / 2);
    float* qr = q + (size_t) b * dim;
    const float* kr = k + (size_t) b * kv_dim;
    const float* vr = v + (size_t) b * kv_dim;
    for (int i = 2 * threadIdx.x; i < dim; i += 2 * blockDim.x) {
        float2 cs = angles[(i % head_size) / 2];
        float fcr = cs.x;
        float fci = cs.y;
        float q0 = qr[i];
        float q1 = qr[i + 1];
        qr[i] = q0 * fcr - q1 * fci;
        qr[i + 1] = q0 * fci + q1 * fcr;
        if (i < kv_dim) {
            float k0 = kr[i];
            float k1 = kr[i + 1];
            kc[i] = k0 * fcr - k1 * fci;
            kc[i + 1] = k0 * fci + k1 * fcr;
            vc[i] = vr[i];
            vc[i + 1] = vr[i + 1];
        }
    }
}

// Causal multi-head attention with grouped KV heads for one token per row, over positions
// 0..pos[b] of the slot's cache. Head h reads KV head h / (n_heads / n_kv_heads).
// att is scratch of [B, n_heads, seq_len]. grid (n_heads, B), block 256.
extern "C" __global__ void attention(float* __restrict__ out, const float* __restrict__ q,
                                     float* const* __restrict__ key_cache, float* const* __restrict__ value_cache,
                                     float* __restrict__ att, const int* __restrict__ slot,
                                     const int* __restrict__ pos, int layer, int seq_len,
                                     int n_heads, int n_kv_heads, int head_size) {
    __shared__ float shared32[32];
    int h = blockIdx.x;
    int b = blockIdx.y;
    int p = pos[b];
    int dim = n_heads * head_size;
    int kv_dim = n_kv_heads * head_size;
    int kv_head = h / (n_heads / n_kv_heads);
    size_t layer_base = (size_t) layer * seq_len * kv_dim + (size_t) kv_head * head_size;
    const float* kc = key_cache[slot[b]] + layer_base;
    const float* vc = value_cache[slot[b]] + layer_base;
    const float* qh = q + (size_t) b * dim + (size_t) h * head_size;
    float* a = att + ((size_t) b * n_heads + h) * seq_len;
    float scale = sqrtf((float) head_size);

    float local_max = -INFINITY;
    for (int t = threadIdx.x; t <= p; t += blockDim.x) {
        const float* kt = kc + (size_t) t * kv_dim;
        float score = 0.0f;
        for (int i = 0; i < head_size; i++) {
            score += qh[i] * kt[i];
        }
        score /= scale;
        a[t] = score;
        local_max = fmaxf(local_max, score);
    }
    float max_val = block_max(local_max, shared32);
    float local_sum = 0.0f;
    for (int t = threadIdx.x; t <= p; t += blockDim.x) {
        float e = expf(a[t] - max_val);
        a[t] = e;
        local_sum += e;
    }
    float sum = block_sum(local_sum, shared32);
    for (int t = threadIdx.x; t <= p; t += blockDim.x) {
        a[t] /= sum;
    }
    __syncthreads();
    float* oh = out + (size_t) b * dim + (size_t) h * head_size;
    for (int i = threadIdx.x; i < head_size; i += blockDim.x) {
        float acc = 0.0f;
        for (int t = 0; t <= p; t++) {
            acc += a[t] * vc[(size_t) t * kv_dim + i];
        }
        oh[i] = acc;
    }
}

// hb[b, i] = silu(W1[i, :] . x[b, :]) * (W3[i, :] . x[b, :]) — the SwiGLU gate of the
// feed-forward block in one launch. grid (ceil(hidden / warpsPerBlock), B), block warpsPerBlock * 32.
extern "C" __global__ void swiglu_matvec(float* __restrict__ hb, const float* __restrict__ w1,
                                         const float* __restrict__ w3, const float* __restrict__ x,
                                         int dim, int hidden) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int b = blockIdx.y;
    if (row >= hidden) return;
    const float* xr = x + (size_t) b * dim;
    float gate = warp_dot(w1 + (size_t) row * dim, xr, dim);
    float up = warp_dot(w3 + (size_t) row * dim, xr, dim);
    if (threadIdx.x % WARP == 0) {
        float val = gate;
        val *= (1.0f / (1.0f + expf(-val)));
        val *= up;
        hb[(size_t) b * hidden + row] = val;
    }
}

// hb[i] = silu(hb[i]) * hb2[i] for n = B * hidden elements, for the cuBLAS path where w1 and w3
// are separate GEMMs. grid (ceil(n / 256)), block 256.
extern "C" __global__ void swiglu(float* __restrict__ hb, const float* __restrict__ hb2, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float val = hb[i];
    val *= (1.0f / (1.0f + expf(-val)));
    val *= hb2[i];
    hb[i] = val;
}

// x[i] += y[i] for n elements: the residual connection for the cuBLAS path.
// grid (ceil(n / 256)), block 256.
extern "C" __global__ void residual_add(float* __restrict__ x, const float* __restrict__ y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    x[i] += y[i];
}

// Kernels for GGUF models (quantized products, RoPE variants): one module, one PTX.
#include "gguf.cu"
