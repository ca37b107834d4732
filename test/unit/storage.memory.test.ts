import { MemoryStorage } from '../../core/storage/memory.js';
import { storageContract } from './storage.contract.js';

storageContract('memory', async () => new MemoryStorage());
