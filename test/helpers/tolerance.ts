// Named tolerances of the numeric tests, each with the reason for its size.

/**
 * Cholesky fit vs the float64 dense reference after a few iterations. The backend rounds factors to
 * float32 after every half-step (relative error 6e-8). Each later solve can amplify that by the
 * condition number of its system, an estimated 1e2 on the small test problems. So 1e-4 leaves a wide
 * margin, while a wrong term in the normal equations shows up at 1e-2 or more.
 */
export const CHOLESKY_VS_DENSE_ABS = 1e-4;

/**
 * Values computed by hand in float64 vs one float32 round trip of the inputs and the result:
 * float32 keeps about 7 significant digits, so 1e-6 on values of order 1.
 */
export const KNOWN_ANSWER_ABS = 1e-6;

/**
 * Allowed rise of the training loss between iterations, relative. Exact ALS never raises the loss;
 * the only rise left is float32 rounding of the factors near convergence (relative 6e-8 per value).
 */
export const LOSS_RISE_RELATIVE = 1e-6;

/**
 * Reconstruction of a binary preference matrix that the model can fit exactly (regularization 0,
 * enough factors). `implicit` checks the same 7 x 6 matrix to 1e-4. Without a penalty the factors grow
 * to a few hundred, and the residual measured on the CPU backend is under 1e-6 with either solver.
 */
export const EXACT_RECONSTRUCTION_ABS = 1e-4;

/**
 * Reconstruction of a block matrix with regularization 0.01. The penalty pulls the in-block scores
 * below 1, by an estimated regularization / (confidence x block size), under 0.01 here. So 0.05
 * separates the in-block cells (near 1) from the rest (near 0) with room to spare.
 */
export const BLOCK_RECONSTRUCTION_ABS = 0.05;

/**
 * WebAssembly Gram kernel vs the float64 row-order sum, relative to sum over rows of |y_a y_b|: the
 * kernel adds blocks of 64 rows in float32 before adding them in float64, and a float32 sum of 64
 * terms errs by at most 64 x 2^-24 of the sum of their magnitudes.
 */
export const GRAM_FLOAT32_BLOCK_RELATIVE = 64 * 2 ** -24;
