// The state classes under test use Svelte runes ($state, $derived): their declarations for the root tsconfig.
/// <reference types="svelte" />
