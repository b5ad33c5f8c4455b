-- AlterEnum
ALTER TYPE "suppression_reason" ADD VALUE 'IMPORT';
