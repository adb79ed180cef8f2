// Vite's `?raw` imports (file contents as a string), used to check shipped config files.
declare module '*?raw' {
  const text: string;
  export default text;
}
