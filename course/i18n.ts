/**
 * The course's two languages and the words its front-ends share: a
 * {@linkcode Text} is a message in both, shown as `text[lang]`.
 *
 * @module
 */

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
  return (key, values) => text(table[key][0], table[key][1], values)[lang];
}

/** Whether `value` is one of the course's languages. */
export function isLang(value: unknown): value is Lang {
  return value === "en" || value === "es";
}

/** The messages of the course core (its flags, its charts), `[en, es]`. */
export const UI = {
  unknownFlag: ["Unknown flag {flag}", "Opción desconocida {flag}"],
  needsValue: [
    "Flag {flag} needs a value",
    "La opción {flag} necesita un valor",
  ],
  yesOrNo: [
    "Flag {flag} takes no value, or yes or no: current value is {value}",
    "La opción {flag} va sin valor, o con sí o no: el valor actual es {value}",
  ],
  yesNoOr: [
    "Flag {flag} takes no value, or yes or no, or {rule}: current value is {value}",
    "La opción {flag} va sin valor, o con sí o no, o {rule}: el valor actual es {value}",
  ],
  mustBe: [
    "Flag {flag} must be {rule}: current value is {value}",
    "La opción {flag} debe ser {rule}: el valor actual es {value}",
  ],
  extra: ["Unexpected argument {value}", "Argumento de más {value}"],
  svgFile: [
    "Flag --timeline=svg needs the name of the file to write after it: --timeline=svg FILE",
    "La opción --timeline=svg necesita detrás el nombre del fichero: --timeline=svg FICHERO",
  ],
  seeHelp: [
    "Run with --help to see the flags.",
    "Ejecútalo con --help para ver las opciones.",
  ],
  /** The key to a chart's marks, under every chart in a terminal. */
  marks: [
    "# ran and ended   x failed   = still running   . not running",
    "# corrió y acabó   x falló   = seguía activa   . sin correr",
  ],
} satisfies Record<string, [en: string, es: string]>;
