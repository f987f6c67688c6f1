/**
 * Reverse lookup for the `as const` IANA registries of this folder: number to
 * name, for logs, the control tool and test messages.
 */

export type Registry = Readonly<Record<string, number>>;

const reverseCache = new WeakMap<Registry, Map<number, string>>();

function reverseOf(registry: Registry): Map<number, string> {
  let reverse = reverseCache.get(registry);
  if (!reverse) {
    reverse = new Map();
    for (const [name, value] of Object.entries(registry)) {
      // The first name wins when a registry holds aliases for one number.
      if (!reverse.has(value)) reverse.set(value, name);
    }
    reverseCache.set(registry, reverse);
  }
  return reverse;
}

/** The registered name of `value`, or undefined when it is not in `registry`. */
export function lookupName<R extends Registry>(registry: R, value: number): keyof R | undefined {
  return reverseOf(registry).get(value) as keyof R | undefined;
}

/** The registered name of `value`, or `UNKNOWN(value)`: always printable. */
export function nameOf(registry: Registry, value: number): string {
  return reverseOf(registry).get(value) ?? `UNKNOWN(${value})`;
}

/** The union of a registry's values, e.g. `ValueOf<typeof ExchangeType>`. */
export type ValueOf<R extends Registry> = R[keyof R];
