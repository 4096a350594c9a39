/**
 * The course's two languages and the words its front-ends share: a
 * {@linkcode Text} is a message in both, shown as `text[lang]`.
 *
 * @module
 */
import { describe } from "./errors.ts";

export type Lang = "en" | "es";

/** Every language, the default first. */
export const LANGS: readonly Lang[] = ["en", "es"];

/** A text in English and Spanish. */
export interface Text {
  readonly en: string;
  readonly es: string;
}

/**
 * A message in English and in Spanish. Each `{name}` in them stands for
 * `values.name`: a Text in its language, anything else as a string.
 */
export function text(
  en: string,
  es: string,
  values: Readonly<Record<string, unknown>> = {},
): Text {
  const fill = (message: string, lang: Lang) =>
    message.replace(/\{(\w+)\}/g, (all, name: string) => {
      if (!Object.hasOwn(values, name)) return all;
      const value = values[name] as Partial<Text> | null;
      return typeof value?.[lang] === "string" ? value[lang] : String(value);
    });
  return { en: fill(en, "en"), es: fill(es, "es") };
}

/** The messages of `table`, each `[en, es]`, in `lang`, filled as {@linkcode text} does. */
export function sayIn<K extends string>(
  table: Readonly<Record<K, readonly [en: string, es: string]>>,
  lang: Lang,
): (key: K, values?: Readonly<Record<string, unknown>>) => string {
  return (key, values) => {
    const [en, es] = table[key];
    return text(en, es, values)[lang];
  };
}

/** Whether `value` is one of the course's languages. */
export function isLang(value: unknown): value is Lang {
  return value === "en" || value === "es";
}

/** The messages of the course core, in both languages. */
export const UI = {
  unknownFlag: (flag: string): Text =>
    text(`Unknown flag ${flag}`, `Opción desconocida ${flag}`),
  needsValue: (flag: string): Text =>
    text(`Flag ${flag} needs a value`, `La opción ${flag} necesita un valor`),
  yesOrNo: (flag: string, value: string): Text =>
    text(
      `Flag ${flag} takes no value, or yes or no: current value is ${
        describe(value)
      }`,
      `La opción ${flag} va sin valor, o con sí o no: el valor actual es ${
        describe(value)
      }`,
    ),
  number: (flag: string, rule: Text, value: string): Text =>
    text(
      `Flag ${flag} must be ${rule.en}: current value is ${describe(value)}`,
      `La opción ${flag} debe ser ${rule.es}: el valor actual es ${
        describe(value)
      }`,
    ),
  oneOf: (flag: string, choices: readonly string[], value: string): Text =>
    text(
      `Flag ${flag} must be ${choices.join(" or ")}: current value is ${
        describe(value)
      }`,
      `La opción ${flag} debe ser ${choices.join(" o ")}: el valor actual es ${
        describe(value)
      }`,
    ),
  extra: (arg: string): Text =>
    text(
      `Unexpected argument ${describe(arg)}`,
      `Argumento de más ${describe(arg)}`,
    ),
  seeHelp: (): Text =>
    text(
      "Run with --help to see the flags.",
      "Ejecútalo con --help para ver las opciones.",
    ),
};
