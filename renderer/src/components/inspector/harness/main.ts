import { mount } from 'svelte';
import Harness from './Harness.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('harness: #app missing');
mount(Harness, { target });
