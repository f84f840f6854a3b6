/**
 * A labelled data set in memory, the form every reader produces and the trainer
 * consumes. Features stay in their compact source form (IDX images as bytes,
 * `scale` 1/255) and are converted batch by batch: a 60,000-image set is 47 MB
 * as bytes and 188 MB as float32.
 */
export interface Dataset {
  /** Number of samples. */
  readonly count: number;
  /** Features per sample (784 for 28x28 images). */
  readonly features: number;
  /** count x features, row-major. Value of a feature = x[i] * scale. */
  readonly x: Uint8Array | Float32Array;
  readonly scale: number;
  /** Class index per sample (0..classNames.length-1). */
  readonly labels: Int32Array;
  /** Class names in index order ("0".."9" for digits, "setosa"… for iris). */
  readonly classNames: readonly string[];
  /** Set for image data: lets the UI draw samples and first-layer weights. */
  readonly imageShape?: readonly [height: number, width: number];
}
