/** Svelte reads TypeScript in `<script lang="ts">` natively; no preprocessing needed. */
export default {};
