/**
 * Each node's local rule as the book writes it (Deep Learning from Scratch, ch. 5
 * for Affine, ReLU, Sigmoid and Softmax-with-Loss; ch. 6 for BatchNorm and
 * Dropout; ch. 7 for Convolution and Pooling). Shown beside the node in the
 * studio's network graph. The numbers never come from here: the layers compute
 * them; this is only the text that explains what they computed.
 */
export interface LocalRule {
  /** What the node does going forward. */
  forward: string;
  /** How it turns dout (dL/d its output) into dL/d its inputs, and its parameters' gradients. */
  backward: string;
}

const RULES: Record<string, LocalRule> = {
  affine: {
    forward: 'y = x·W + b',
    backward: 'dx = dout·Wᵀ,  dW = xᵀ·dout,  db = Σ dout (over the batch)',
  },
  relu: {
    forward: 'y = max(0, x)',
    backward: 'dx = dout where x > 0, else 0',
  },
  sigmoid: {
    forward: 'y = 1 / (1 + exp(−x))',
    backward: 'dx = dout · y(1 − y)',
  },
  tanh: {
    forward: 'y = tanh(x)',
    backward: 'dx = dout · (1 − y²)',
  },
  conv: {
    forward: 'col = im2col(x);  y = col·W_col + b  (reshaped to N×FN×OH×OW)',
    backward: 'dcol = dout·W_colᵀ,  dx = col2im(dcol),  dW = colᵀ·dout,  db = Σ dout',
  },
  pool: {
    forward: 'col = im2col(x);  y = max of each window (argmax kept)',
    backward: 'dout goes to the argmax of each window, 0 elsewhere;  dx = col2im(routed)',
  },
  flatten: {
    forward: 'y = reshape(x, N × C·H·W)',
    backward: 'dx = reshape(dout, N × C × H × W)',
  },
  batchnorm: {
    forward: 'x̂ = (x − μ_B) / √(σ²_B + ε),  y = γ·x̂ + β  (batch statistics while training)',
    backward: 'dβ = Σ dout,  dγ = Σ dout·x̂,  dx = γ/√(σ²_B + ε) · (dout − mean(dout) − x̂·mean(dout·x̂))',
  },
  dropout: {
    forward: 'y = x·mask / (1 − p)  (mask drawn per step while training; y = x when evaluating)',
    backward: 'dx = dout·mask / (1 − p)',
  },
  'softmax-cross-entropy': {
    forward: 'y = softmax(x),  L = −Σ t·log y / N',
    backward: 'dx = (y − t) / N',
  },
  mse: {
    forward: 'L = ½ Σ (y − t)² / N',
    backward: 'dx = (y − t) / N',
  },
};

/** The rule of a layer or loss kind; a kind without an entry says so instead of guessing. */
export function localRule(kind: string): LocalRule {
  return (
    RULES[kind] ?? {
      forward: `${kind}: forward as the layer defines it`,
      backward: `${kind}: backward as the layer defines it (chain rule: dx = dout · ∂y/∂x)`,
    }
  );
}
