import { StudioError } from '../errors.js';

/**
 * The book's scalar computational graph (ch. 5.3–5.4): each node does one
 * operation forward and passes gradients backward by the chain rule.
 *
 *   Mul  z = x·y   backward: dx = dout·y, dy = dout·x   (the inputs swap places)
 *   Add  z = x+y   backward: dx = dout,   dy = dout     (the gradient passes through)
 */
export class MulLayer {
  private x = 0;
  private y = 0;

  forward(x: number, y: number): number {
    this.x = x;
    this.y = y;
    return x * y;
  }

  backward(dout: number): [dx: number, dy: number] {
    return [dout * this.y, dout * this.x];
  }
}

export class AddLayer {
  forward(x: number, y: number): number {
    return x + y;
  }

  backward(dout: number): [dx: number, dy: number] {
    return [dout, dout];
  }
}

export interface ShoppingInputs {
  /** Price of one apple (the book: 100). */
  apple: number;
  /** Number of apples (2). */
  appleNum: number;
  /** Price of one orange (150); leave out orange and orangeNum for the apples-only graph. */
  orange?: number;
  /** Number of oranges (3). */
  orangeNum?: number;
  /** Consumption tax factor (1.1). */
  tax: number;
  /** Gradient fed in at the end, dL/dprice (1). */
  dPrice?: number;
}

/** Every value on every edge of the graph: forward (black arrows) and backward (red arrows in the book). */
export interface ShoppingResult {
  withOranges: boolean;
  forward: {
    /** apple · appleNum */
    applePrice: number;
    /** orange · orangeNum (null in the apples-only graph) */
    orangePrice: number | null;
    /** applePrice + orangePrice (equals applePrice in the apples-only graph) */
    allPrice: number;
    /** allPrice · tax */
    price: number;
  };
  backward: {
    dPrice: number;
    dAllPrice: number;
    dApplePrice: number;
    dOrangePrice: number | null;
    dApple: number;
    dAppleNum: number;
    dOrange: number | null;
    dOrangeNum: number | null;
    dTax: number;
  };
}

function finite(name: string, v: number | undefined): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new StudioError('BAD_SPEC', `shopping example: ${name} must be a finite number, got ${String(v)}`, { field: name });
  }
  return v;
}

/**
 * buy_apple.py and buy_apple_orange.py of the book, returning every forward value
 * and every gradient. Apples 100 x 2 with tax 1.1: price 220, dApple 2.2,
 * dAppleNum 110, dTax 200. With 3 oranges at 150: price 715, dOrange 3.3,
 * dOrangeNum 165, dTax 650.
 */
export function shoppingExample(inputs: ShoppingInputs): ShoppingResult {
  const apple = finite('apple', inputs.apple);
  const appleNum = finite('appleNum', inputs.appleNum);
  const tax = finite('tax', inputs.tax);
  const dPrice = finite('dPrice', inputs.dPrice ?? 1);
  const withOranges = inputs.orange !== undefined || inputs.orangeNum !== undefined;

  const mulApple = new MulLayer();
  const mulTax = new MulLayer();
  const applePrice = mulApple.forward(apple, appleNum);

  if (!withOranges) {
    const price = mulTax.forward(applePrice, tax);
    const [dApplePrice, dTax] = mulTax.backward(dPrice);
    const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
    return {
      withOranges,
      forward: { applePrice, orangePrice: null, allPrice: applePrice, price },
      backward: {
        dPrice,
        dAllPrice: dApplePrice,
        dApplePrice,
        dOrangePrice: null,
        dApple,
        dAppleNum,
        dOrange: null,
        dOrangeNum: null,
        dTax,
      },
    };
  }

  const orange = finite('orange', inputs.orange);
  const orangeNum = finite('orangeNum', inputs.orangeNum);
  const mulOrange = new MulLayer();
  const addFruit = new AddLayer();
  const orangePrice = mulOrange.forward(orange, orangeNum);
  const allPrice = addFruit.forward(applePrice, orangePrice);
  const price = mulTax.forward(allPrice, tax);

  const [dAllPrice, dTax] = mulTax.backward(dPrice);
  const [dApplePrice, dOrangePrice] = addFruit.backward(dAllPrice);
  const [dOrange, dOrangeNum] = mulOrange.backward(dOrangePrice);
  const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
  return {
    withOranges,
    forward: { applePrice, orangePrice, allPrice, price },
    backward: { dPrice, dAllPrice, dApplePrice, dOrangePrice, dApple, dAppleNum, dOrange, dOrangeNum, dTax },
  };
}
