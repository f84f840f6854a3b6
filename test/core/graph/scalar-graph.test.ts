import { describe, expect, it } from 'vitest';
import { AddLayer, MulLayer, shoppingExample } from '../../../core/graph/scalar.js';
import { StudioError } from '../../../core/errors.js';

describe('scalar computational graph (book ch. 5.4)', () => {
  it('Mul swaps its inputs on the way back, Add passes the gradient through', () => {
    const mul = new MulLayer();
    expect(mul.forward(3, 4)).toBe(12);
    expect(mul.backward(2)).toEqual([8, 6]);
    const add = new AddLayer();
    expect(add.forward(3, 4)).toBe(7);
    expect(add.backward(5)).toEqual([5, 5]);
  });

  it('apples: 100 x 2 with tax 1.1 gives 220, dApple 2.2, dAppleNum 110, dTax 200', () => {
    const r = shoppingExample({ apple: 100, appleNum: 2, tax: 1.1 });
    expect(r.withOranges).toBe(false);
    expect(r.forward.applePrice).toBe(200);
    expect(r.forward.orangePrice).toBeNull();
    expect(r.forward.price).toBeCloseTo(220, 10);
    expect(r.backward.dApple).toBeCloseTo(2.2, 12);
    expect(r.backward.dAppleNum).toBeCloseTo(110, 10);
    expect(r.backward.dTax).toBe(200);
    expect(r.backward.dOrange).toBeNull();
  });

  it('apples and oranges: 715, dApple 2.2, dAppleNum 110, dOrange 3.3, dOrangeNum 165, dTax 650', () => {
    const r = shoppingExample({ apple: 100, appleNum: 2, orange: 150, orangeNum: 3, tax: 1.1 });
    expect(r.withOranges).toBe(true);
    expect(r.forward.applePrice).toBe(200);
    expect(r.forward.orangePrice).toBe(450);
    expect(r.forward.allPrice).toBe(650);
    expect(r.forward.price).toBeCloseTo(715, 10);
    expect(r.backward.dAllPrice).toBeCloseTo(1.1, 12);
    expect(r.backward.dApplePrice).toBeCloseTo(1.1, 12);
    expect(r.backward.dOrangePrice).toBeCloseTo(1.1, 12);
    expect(r.backward.dApple).toBeCloseTo(2.2, 12);
    expect(r.backward.dAppleNum).toBeCloseTo(110, 10);
    expect(r.backward.dOrange).toBeCloseTo(3.3, 12);
    expect(r.backward.dOrangeNum).toBeCloseTo(165, 10);
    expect(r.backward.dTax).toBe(650);
  });

  it('scales every gradient by the dPrice fed in at the end (chain rule)', () => {
    const r = shoppingExample({ apple: 100, appleNum: 2, orange: 150, orangeNum: 3, tax: 1.1, dPrice: 2 });
    expect(r.backward.dTax).toBe(1300);
    expect(r.backward.dOrange).toBeCloseTo(6.6, 12);
  });

  it('the gradients agree with finite differences of the price', () => {
    const base = { apple: 100, appleNum: 2, orange: 150, orangeNum: 3, tax: 1.1 };
    const r = shoppingExample(base);
    const h = 1e-4;
    for (const [key, grad] of [
      ['apple', r.backward.dApple],
      ['appleNum', r.backward.dAppleNum],
      ['orange', r.backward.dOrange],
      ['orangeNum', r.backward.dOrangeNum],
      ['tax', r.backward.dTax],
    ] as const) {
      const up = shoppingExample({ ...base, [key]: base[key] + h }).forward.price;
      const down = shoppingExample({ ...base, [key]: base[key] - h }).forward.price;
      expect((up - down) / (2 * h)).toBeCloseTo(grad!, 6);
    }
  });

  it('rejects a non-finite input with a message naming it', () => {
    expect(() => shoppingExample({ apple: Number.NaN, appleNum: 2, tax: 1.1 })).toThrow(StudioError);
    expect(() => shoppingExample({ apple: 100, appleNum: 2, tax: Infinity })).toThrow(/tax must be a finite number/);
    expect(() => shoppingExample({ apple: 100, appleNum: 2, orange: 150, tax: 1.1 })).toThrow(/orangeNum/);
  });
});
